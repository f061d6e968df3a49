import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jurisdictions.models import Jurisdiction, Membership
from tests.factories import BlocFactory, JurisdictionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_str_and_natural_key_round_trip():
    jurisdiction = JurisdictionFactory(code="XA", name="Exampleland")
    assert str(jurisdiction) == "Exampleland (XA)"
    assert jurisdiction.natural_key() == ("XA",)
    assert Jurisdiction.objects.get_by_natural_key("XA") == jurisdiction


def test_membership_natural_key_is_built_from_its_jurisdictions():
    membership = MembershipFactory(
        member__code="XB", bloc__code="XBLOC", started_on=datetime.date(1999, 1, 1)
    )
    assert membership.natural_key() == ("XB", "XBLOC", "member", "1999-01-01")
    assert (
        Membership.objects.get_by_natural_key("XB", "XBLOC", "member", "1999-01-01") == membership
    )


def test_code_is_unique():
    JurisdictionFactory(code="XC")
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.create(code="XC", name="Other", kind="national")


@pytest.mark.parametrize("code", ["xc", "X", "X-1", ""])
def test_code_must_be_upper_case_letters_and_digits(code):
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.create(code=code, name="Bad", kind="national")


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "planet"), ("approach", "laissez_faire"), ("region", "Atlantis")]
)
def test_vocabulary_columns_reject_unknown_values(field, value):
    jurisdiction = JurisdictionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.filter(pk=jurisdiction.pk).update(**{field: value})


def test_membership_start_cannot_follow_end():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            started_on=datetime.date(2025, 1, 1),
            ended_on=datetime.date(2022, 1, 1),
            ended_on_precision="year",
        )


def test_membership_may_start_and_end_in_one_year():
    assert MembershipFactory(
        started_on=datetime.date(2025, 1, 1),
        started_on_precision="day",
        ended_on=datetime.date(2025, 10, 26),
        ended_on_precision="day",
    ).pk


def test_membership_end_must_follow_start_and_keep_its_precision():
    membership = MembershipFactory.build(
        member=JurisdictionFactory(),
        bloc=BlocFactory(),
        started_on=datetime.date(2025, 10, 26),
        started_on_precision="day",
        ended_on=datetime.date(2025, 10, 26),
        ended_on_precision="day",
    )
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "ended_on" in excinfo.value.message_dict
    membership.ended_on, membership.ended_on_precision = datetime.date(2026, 3, 5), "month"
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "ended_on" in excinfo.value.message_dict


def test_jurisdiction_cannot_be_member_of_itself():
    bloc = BlocFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            member=bloc, bloc=bloc, role="member", started_on=datetime.date(2000, 1, 1)
        )


def test_membership_is_unique_per_role_and_start():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            member=membership.member,
            bloc=membership.bloc,
            role="member",
            started_on=membership.started_on,
        )


def test_membership_role_is_checked():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(role="friend")


def test_national_code_must_be_two_letters():
    jurisdiction = Jurisdiction(code="XYZ", name="Bad", kind="national")
    with pytest.raises(ValidationError) as excinfo:
        jurisdiction.full_clean()
    assert "code" in excinfo.value.message_dict


def test_bloc_of_a_membership_cannot_be_a_state():
    membership = Membership(
        member=JurisdictionFactory(),
        bloc=JurisdictionFactory(),
        started_on=datetime.date(2000, 1, 1),
        started_on_precision="year",
    )
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "bloc" in excinfo.value.message_dict


def test_current_memberships_leave_out_ended_ones():
    left = MembershipFactory(
        started_on=datetime.date(1990, 1, 1),
        ended_on=datetime.date(2010, 1, 1),
        ended_on_precision="year",
    )
    current = MembershipFactory(member=left.member, started_on=datetime.date(2020, 1, 1))
    assert left.member.current_memberships == [current]


def test_local_language_of_every_seeded_local_name(seeded):
    from jurisdictions.models import Jurisdiction

    for jurisdiction in Jurisdiction.objects.exclude(local_name=""):
        assert jurisdiction.local_language, jurisdiction.code
    assert Jurisdiction.objects.get(code="TW").local_language == "zh-Hant"
    assert Jurisdiction.objects.get(code="US").local_language == ""


def test_a_sub_national_jurisdiction_names_its_national_parent_by_its_code():
    united_states = JurisdictionFactory(code="XU", kind="national")
    state = Jurisdiction(code="XU-CA", name="Calstate", kind="subnational", parent=united_states)
    state.full_clean()
    state.save()
    assert list(united_states.subdivisions.all()) == [state]
    for changes, field in [
        ({"parent": None}, "parent"),
        ({"code": "XV-CA"}, "code"),
        ({"parent": BlocFactory(code="XBLOC")}, "parent"),
    ]:
        bad = Jurisdiction(
            **{"code": "XU-NY", "name": "Newstate", "kind": "subnational", "parent": united_states}
            | changes
        )
        with pytest.raises(ValidationError) as excinfo:
            bad.full_clean()
        assert field in excinfo.value.message_dict, changes
    national_with_parent = Jurisdiction(code="XW", name="W", kind="national", parent=united_states)
    with pytest.raises(ValidationError) as excinfo:
        national_with_parent.full_clean()
    assert "parent" in excinfo.value.message_dict
