"""The shared catalogue of measure types as shipped: five themes and twenty types, the ten steps of the
Pakistan–Iran recommendations and the steps real de-escalations use beyond them. Pure data, and the
function that puts it into an empty catalogue (migration 0017, and after every `migrate` or `flush`
that leaves the catalogue empty: measures.apps).

A type names the Peace Accords Matrix provision or the PA-X category it corresponds to only where that
was confirmed from the data sets' own material:

- PAM themes as the Kroc Institute names them in its introduction of the matrix ("withdrawal of
  troops", peacepolicy.nd.edu, 2 May 2012) and its launch notice ("ceasefires", news.nd.edu);
- PA-X categories as the PA-X data's field list labels them, with the codebook variable in brackets
  (Ce Ceasefire, SsrFf Withdrawal of foreign forces, TjPrire Prisoner release, DevHum Humanitarian
  assistance, Wat Water or riparian (river) rights-access, ImPK International mission/force/similar,
  SsrInt Intelligence service).

Every other reference is left empty rather than guessed; administrators complete or correct them in
the workspace.
"""

THEMES = [
    # slug, name, position, description
    (
        "talks",
        "Talks and diplomacy",
        1,
        "Contact between the parties' governments, directly, through envoys or through third parties.",
    ),
    (
        "communication",
        "Communication and confidence-building",
        2,
        "Channels that keep incidents from escalating, and steps that rebuild trust between the parties.",
    ),
    (
        "security",
        "Military restraint and security",
        3,
        "What the parties' armed and security forces stop doing, pull back from or let others verify.",
    ),
    (
        "humanitarian",
        "Humanitarian steps and normal life",
        4,
        "What the crisis took from people and what they get back: detainees, aid, open crossings.",
    ),
    (
        "commitments",
        "Commitments and law",
        5,
        "Standing commitments the parties restate and keep: sovereignty, international law, treaties.",
    ),
]

TYPES = [
    # slug, name, theme, position, definition, PAM provision, PA-X category
    (
        "diplomatic-engagement",
        "Diplomatic engagement",
        "talks",
        1,
        "High-level talks between the parties' political leaders, ministers, diplomats and officials to "
        "address the causes of the crisis and settle it peacefully.",
        "",
        "",
    ),
    (
        "return-of-envoys",
        "Return of envoys",
        "talks",
        2,
        "Ambassadors or other envoys recalled or expelled during the crisis return to their posts, and the "
        "diplomatic missions resume their normal work.",
        "",
        "",
    ),
    (
        "mediation-and-arbitration",
        "Mediation and arbitration",
        "talks",
        3,
        "A neutral third party (a state, the United Nations, a regional organisation) facilitates dialogue, "
        "mediates or arbitrates between the parties where bilateral talks alone do not settle the dispute.",
        "",
        "",
    ),
    (
        "multilateral-cooperation",
        "Multilateral cooperation",
        "talks",
        4,
        "The parties take the dispute, or cooperation related to it, to regional or international forums and "
        "initiatives, which give their dialogue a broader frame.",
        "",
        "",
    ),
    (
        "track-ii-diplomacy",
        "Track-II diplomacy",
        "talks",
        5,
        "Dialogue outside official channels: people-to-people exchanges, civil-society and academic meetings "
        "that build trust and understanding between the two societies.",
        "",
        "",
    ),
    (
        "crisis-communication-channels",
        "Crisis communication channels",
        "communication",
        1,
        "Direct, standing channels (hotlines, dedicated crisis-management mechanisms) through which the parties "
        "clear up misunderstandings and incidents quickly and keep them from escalating.",
        "",
        "",
    ),
    (
        "military-hotline",
        "Military hotline",
        "communication",
        2,
        "A direct line between the parties' military commanders (headquarters or border commands), used to "
        "deconflict operations and report incidents as they happen.",
        "",
        "",
    ),
    (
        "confidence-building-measures",
        "Confidence-building measures",
        "communication",
        3,
        "Steps that rebuild trust: exchanges of official visits, cultural exchanges, cooperation in trade, "
        "development or security.",
        "",
        "",
    ),
    (
        "intelligence-sharing",
        "Intelligence sharing",
        "communication",
        4,
        "The parties' services share intelligence on threats both face, such as cross-border militancy, and act "
        "on it together.",
        "",
        "Intelligence service (SsrInt)",
    ),
    (
        "joint-investigation",
        "Joint investigation",
        "communication",
        5,
        "The parties investigate together, or accept a joint or independent inquiry into, the incident that "
        "set off the crisis, and share what it finds.",
        "",
        "",
    ),
    (
        "ceasefire",
        "Ceasefire",
        "security",
        1,
        "The parties stop hostile military action against each other (strikes, shelling, incursions), by "
        "agreement or by each side's declared restraint, and keep to it.",
        "Ceasefire",
        "Ceasefire (Ce)",
    ),
    (
        "withdrawal-of-forces",
        "Withdrawal or pull-back of forces",
        "security",
        2,
        "Forces are withdrawn from the other party's territory, or pulled back from the border or a line of "
        "contact to agreed positions.",
        "Withdrawal of troops",
        "Withdrawal of foreign forces (SsrFf)",
    ),
    (
        "observers-monitoring-mission",
        "Observers or monitoring mission",
        "security",
        3,
        "Observers or a monitoring mission, international, regional or joint, verify that the parties keep "
        "their commitments and report incidents.",
        "",
        "International mission/force/similar (ImPK)",
    ),
    (
        "border-management",
        "Border management",
        "security",
        4,
        "Border security is strengthened and coordinated (patrols, infrastructure, information shared between "
        "the border forces) to stop militants and illegal crossings.",
        "",
        "",
    ),
    (
        "prisoner-exchange",
        "Prisoner exchange",
        "humanitarian",
        1,
        "Soldiers, prisoners of war or other people detained because of the crisis are released or exchanged.",
        "",
        "Prisoner release (TjPrire)",
    ),
    (
        "humanitarian-access",
        "Humanitarian access",
        "humanitarian",
        2,
        "Aid, medical care and relief reach the people the crisis affects; the parties let humanitarian workers "
        "and supplies through and protect them.",
        "",
        "Humanitarian assistance (DevHum)",
    ),
    (
        "reopening-of-crossings",
        "Reopening of crossings",
        "humanitarian",
        3,
        "Border crossings, trade routes and transport links closed during the crisis reopen to people and goods.",
        "",
        "",
    ),
    (
        "non-interference",
        "Non-interference in internal affairs",
        "commitments",
        1,
        "Each party respects the other's sovereignty and stays out of its internal affairs, including by "
        "neither supporting proxy groups nor sheltering militants who target the other.",
        "",
        "",
    ),
    (
        "commitment-to-international-law",
        "Commitment to international law",
        "commitments",
        2,
        "The parties restate and keep their commitment to international law: non-aggression, non-interference "
        "and the peaceful settlement of disputes.",
        "",
        "",
    ),
    (
        "water-and-treaty-commitments",
        "Water and treaty commitments",
        "commitments",
        3,
        "The parties keep, or restore, commitments under treaties suspended or threatened during the crisis, "
        "such as the sharing of rivers' water.",
        "",
        "Water or riparian (river) rights-access (Wat)",
    ),
]

# The Pakistan–Iran case's measures (by slug) and their types: what fixtures/pakistan-iran-2024.json says.
PAKISTAN_IRAN = "pakistan-iran-2024"
PAKISTAN_IRAN_TYPES = {
    "diplomatic-engagement": "diplomatic-engagement",
    "confidence-building-measures": "confidence-building-measures",
    "mediation-and-arbitration": "mediation-and-arbitration",
    "intelligence-sharing": "intelligence-sharing",
    "border-management": "border-management",
    "non-interference-in-internal-affairs": "non-interference",
    "multilateral-cooperation": "multilateral-cooperation",
    "track-ii-diplomacy": "track-ii-diplomacy",
    "crisis-communication-channels": "crisis-communication-channels",
    "commitment-to-international-law": "commitment-to-international-law",
}


def ensure_catalogue(Theme, MeasureType, using="default"):
    """Fill an empty catalogue with THEMES and TYPES; a catalogue that holds any theme or type is left
    as administrators made it (a type they deleted does not come back). `Theme` and `MeasureType` are
    the model classes (the migration state's, or the installed ones). Returns the number of types
    created."""
    themes, types = Theme.objects.using(using), MeasureType.objects.using(using)
    if themes.exists() or types.exists():
        return 0
    made = {}
    for slug, name, position, description in THEMES:
        made[slug] = themes.create(slug=slug, name=name, position=position, description=description)
    for slug, name, theme, position, definition, pam, pax in TYPES:
        types.create(
            slug=slug,
            name=name,
            theme=made[theme],
            position=position,
            definition=definition,
            pam_provision=pam,
            pax_category=pax,
        )
    return len(TYPES)
