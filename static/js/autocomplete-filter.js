// Sidebar autocomplete filters (measures/admin_filters.py): choosing a record applies the filter.
'use strict';
window.addEventListener('load', function () {
    const $ = window.django && window.django.jQuery;
    if (!$) {
        return;
    }
    $('form.autocomplete-filter select[data-submit-on-change]').on('change', function () {
        this.form.submit();
    });
});
