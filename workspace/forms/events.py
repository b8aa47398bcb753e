"""The events CSV import form."""

from django import forms


class EventImportForm(forms.Form):
    """The event export to preview, its optional mapping file and deletion list, and whether it is a complete
    export (see docs/event-imports.md)."""

    MAX_BYTES = 2 * 1024 * 1024

    csv_file = forms.FileField(label="Event export (CSV, UTF-8)", help_text="At most 2 MB; ACLED's columns.")
    mapping_file = forms.FileField(
        label="Mapping file (JSON)", required=False, help_text="Other column names, actors, event types."
    )
    deletions_file = forms.FileField(
        label="Deletion list (CSV)",
        required=False,
        help_text="The events the dataset deleted (an event_id_cnty column, as ACLED's deleted events): removed "
        "here, except those a citation reports.",
    )
    sync = forms.BooleanField(
        label="The export is complete",
        required=False,
        help_text="Remove the imported events it no longer holds (except those a citation reports).",
    )

    def _read(self, name):
        upload = self.cleaned_data.get(name)
        if upload is None:
            return None
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / (1024 * 1024):.1f} MB; at most 2 MB is taken here "
                "(use the import_events command for larger files)."
            )
        return upload.read()

    def clean_csv_file(self):
        self.csv_content = self._read("csv_file")
        return self.cleaned_data["csv_file"]

    def clean_mapping_file(self):
        self.mapping_content = self._read("mapping_file")
        return self.cleaned_data["mapping_file"]

    def clean_deletions_file(self):
        self.deletions_content = self._read("deletions_file")
        return self.cleaned_data["deletions_file"]
