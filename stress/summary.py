"""Print the fuzzing figures that tests/test_fuzz.py wrote (FUZZ_REPORT: one JSON line per target)."""

import json
import sys
from collections import defaultdict


def main(path, label):
    totals = defaultdict(lambda: [0, 0])
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            totals[row["target"]][0] += row["inputs"]
            totals[row["target"]][1] += row["server_errors"]
    for target, (inputs, errors) in sorted(totals.items()):
        print(f"STRESS [{label}] fuzz {target}: {inputs} inputs, {errors} server errors")
    inputs = sum(n for n, _ in totals.values())
    errors = sum(e for _, e in totals.values())
    print(f"STRESS [{label}] fuzz total: {len(totals)} targets, {inputs} inputs, {errors} server errors")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
