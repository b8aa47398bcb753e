"""The events CSV import form."""

from django import forms


class EventImportForm(forms.Form):
    """The event export to preview, and its optional mapping file (see docs/event-imports.md)."""

    MAX_BYTES = 2 * 1024 * 1024

    csv_file = forms.FileField(label="Event export (CSV, UTF-8)", help_text="At most 2 MB; ACLED's columns.")
    mapping_file = forms.FileField(
        label="Mapping file (JSON)", required=False, help_text="Other column names, actors, event types."
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
