"""The admin's forms for citations and status timelines: what makes one page add a record with its
timeline and its citations, checked as a whole before anything is saved."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from instruments.models import CITED_RECORDS
from instruments.models.citations import citable_field_choices
from instruments.rules import current_status, timeline_problems
from instruments.services import instrument_check_timeline
from policytracker.core.forms import RecordForm


def citation_fields_field(choices):
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Backs",
        help_text="The facts of the record that the quote states.",
    )


def grouped_citation_field_choices():
    """Every record kind's citable fields, grouped under the kind (for a citation whose record
    is chosen on the same page)."""
    return [
        (str(model._meta.verbose_name).capitalize(), citable_field_choices(model))
        for model in CITED_RECORDS.values()
    ]


class CitationForm(RecordForm):
    """A citation: the fields it backs ticked from the record's own labels, and a box that
    confirms it against the source today (which clears "unverified since the value changed")."""

    confirm = forms.BooleanField(
        required=False,
        label="Checked against the source today",
        help_text="Sets “checked on” to today; a citation marked unverified because the value "
        "it backs changed is verified again.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("fields")
        if field is None or not isinstance(field, forms.MultipleChoiceField):
            return
        if self.instance.pk is not None and self.instance.record_kind:
            model = CITED_RECORDS[self.instance.record_kind]
            field.choices = citable_field_choices(model)
        # A name stored before (or by another route) stays ticked rather than being dropped.
        known = _choice_values(field.choices)
        stored = self.instance.fields if isinstance(self.instance.fields, list) else []
        extra = [(name, name) for name in stored if name not in known]
        if extra:
            field.choices = [*field.choices, *extra]
        if self.instance.unverified:
            changed = ", ".join(self.instance.unverified_fields) or "a value it backs"
            self.fields["confirm"].help_text = (
                f"Unverified since {self.instance.unverified_since:%d %b %Y}, when {changed} "
                "changed: check the quote against the source, then tick this box (or replace "
                "the citation)."
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm"):
            self.instance.confirm()
            cleaned["checked_on"] = self.instance.checked_on
        return cleaned


def _choice_values(choices):
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.update(inner for inner, _ in label)
        else:
            values.add(value)
    return values


def _live_forms(formset):
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            continue
        yield form


class CitationFormSet(BaseInlineFormSet):
    """A record's citations on its page: the same quote from the same source twice is refused
    here, in words, rather than by the database after the record is half-saved."""

    def clean(self):
        super().clean()
        seen = {}
        for number, form in enumerate(_live_forms(self), start=1):
            source = form.cleaned_data.get("source")
            if source is None:
                continue
            key = (source.pk, (form.cleaned_data.get("quote") or "").strip())
            if key in seen:
                quote = "the same quote" if key[1] else "no quote"
                form.add_error(
                    "quote",
                    f"Citation {seen[key]} already cites {quote} from “{source}” for this "
                    "record: keep one of the two.",
                )
            else:
                seen[key] = number


class StatusChangeFormSet(BaseInlineFormSet):
    """An instrument's status timeline on its page, checked as a whole (`instruments.rules`)
    with the type the page gives: the steps added, corrected and deleted together. The current
    status follows from it, so the page never saves a timeline that contradicts the type."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # The steps are checked together below, not each against the rows saved so far.
        form.instance.checked_with_whole_timeline = True
        return form

    def clean(self):
        super().clean()
        instrument = self.instance
        if any(self.errors) or not instrument.type:
            return
        steps = {}
        for form in _live_forms(self):
            if form.instance.date is not None and form.instance.status:
                step = form.instance.as_step()
                steps[id(step)] = (step, form)
        problems = timeline_problems(instrument.type, [step for step, _ in steps.values()])
        for problem in problems:
            _, form = steps[id(problem.step)]
            form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        if steps and not problems:
            # The status follows the timeline from this save on.
            instrument.status = current_status([step for step, _ in steps.values()])


class StatusChangeForm(RecordForm):
    """A status change on its own page: checked with the rest of its instrument's timeline,
    the status it leaves current included."""

    def _post_clean(self):
        super()._post_clean()
        change = self.instance
        if self.errors or change.instrument_id is None:
            return
        others = [step for step in change.instrument.timeline_steps() if step.ref.pk != change.pk]
        try:
            instrument_check_timeline(instrument=change.instrument, steps=[*others, change])
        except ValidationError as error:
            self._update_errors(error)
