"""The admin's forms for citations and status timelines: what makes one page add a record with its
timeline and its citations, checked as a whole before anything is saved."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from instruments.models import CITED_RECORDS, Citation, Source
from instruments.models.citations import citable_field_choices
from instruments.rules import current_status, timeline_problems
from instruments.services import instrument_check_timeline
from instruments.similar_titles import similar_titles, similar_titles_message
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


class StatusStepForm(RecordForm):
    """A step of the timeline on its instrument's page, with a citation for it in the same row
    (a source, the quote and where it is): it backs the step's status and date. More citations
    of a step are added on the step's own page."""

    cite_source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("title"),
        required=False,
        label="Cited source",
        help_text="The source that states this step.",
    )
    cite_quote = forms.CharField(
        required=False,
        strip=False,
        label="Quote",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Copied character for character.",
    )
    cite_locator = forms.CharField(
        required=False,
        max_length=Citation._meta.get_field("locator").max_length,
        label="Where in it",
    )

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("cite_source")
        if source is None:
            if cleaned.get("cite_quote") or cleaned.get("cite_locator"):
                self.add_error("cite_source", "Choose the source the quote comes from.")
            return cleaned
        self.step_citation = Citation(
            status_change=self.instance,
            source=source,
            quote=cleaned.get("cite_quote") or "",
            locator=cleaned.get("cite_locator") or "",
            fields=["status", "date"],
        )
        try:
            # The step itself may not be saved yet: its own checks come with it.
            self.step_citation.full_clean(exclude=["status_change"], validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = {"quote": "cite_quote", "locator": "cite_locator"}.get(field, "cite_source")
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def save_step_citation(self, step):
        citation = getattr(self, "step_citation", None)
        if citation is None:
            return
        citation.status_change = step
        duplicate = Citation.objects.filter(
            status_change=step, source=citation.source, quote=citation.quote
        ).exists()
        if not duplicate:
            citation.save()


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

    def save_new(self, form, commit=True):
        step = super().save_new(form, commit)
        if commit:
            form.save_step_citation(step)
        return step

    def save_existing(self, form, obj, commit=True):
        step = super().save_existing(form, obj, commit)
        if commit:
            form.save_step_citation(step)
        return step


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


class NewRecordForm(RecordForm):
    """The add page of an instrument or an event: a title nearly the same as an existing
    record's (or an addition waiting for review) is flagged before anything is saved, and the
    editor confirms it is a different text."""

    not_a_duplicate = forms.BooleanField(
        required=False,
        label="Not a duplicate",
        help_text="Tick when a record with a nearly identical title is flagged but this is a "
        "different text.",
    )

    # The revision being published from this form, which is not a duplicate of itself.
    replaying_revision = None

    def clean(self):
        cleaned = super().clean()
        title = cleaned.get("title") if cleaned else None
        if self.instance.pk is None and title and not cleaned.get("not_a_duplicate"):
            found = similar_titles(
                self._meta.model, title, exclude_revision=self.replaying_revision
            )
            if found:
                self.add_error(
                    "title",
                    similar_titles_message(found, confirm="tick “Not a duplicate” and save again"),
                )
        return cleaned


class SimilarTitleAdminMixin:
    """The admin of a record whose add page flags near-duplicate titles (`NewRecordForm`)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            revision = getattr(request, "_replaying_revision", None)
            kwargs["form"] = type(
                "NewRecordForm", (NewRecordForm,), {"replaying_revision": revision}
            )
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            fieldsets.append(("Before saving", {"fields": ["not_a_duplicate"]}))
        return fieldsets
