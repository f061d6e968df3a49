from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from policytracker.core.api.throttling import EDITORS_GROUP, REVIEWERS_GROUP, is_editor


class Command(BaseCommand):
    help = (
        "Print the API token of an editor (staff, or a member of the “editors” group), creating "
        "it on first use. The user must exist already; --add-to-editors makes them an editor."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The editor's user name.")
        parser.add_argument(
            "--add-to-editors",
            action="store_true",
            help=f"Make the user an editor first: a member of the “{EDITORS_GROUP}” group and "
            "staff, so that they can also sign in to the admin. Their changes wait for a "
            "reviewer.",
        )
        parser.add_argument(
            "--add-to-reviewers",
            action="store_true",
            help=f"Make the user a reviewer first: a member of the “{REVIEWERS_GROUP}” group "
            "and staff. Reviewers publish changes: their own and editors'.",
        )

    def handle(self, *args, username, add_to_editors, add_to_reviewers, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(
                f"There is no user “{username}”. Create the account first (manage.py "
                "createsuperuser, or Users in the admin), then run this again."
            ) from None
        if not user.is_active:
            raise CommandError(f"The account “{username}” is inactive: a token would not work.")
        for wanted, name in ((add_to_editors, EDITORS_GROUP), (add_to_reviewers, REVIEWERS_GROUP)):
            if not wanted:
                continue
            try:
                # Made by a migration, with its permissions: a group made here would have none.
                group = Group.objects.get(name=name)
            except Group.DoesNotExist:
                raise CommandError(
                    f"There is no “{name}” group: run `manage.py migrate` first."
                ) from None
            user.groups.add(group)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        if not is_editor(user):
            raise CommandError(
                f"“{username}” is not an editor (staff, or a member of the “{EDITORS_GROUP}” "
                "group), so a token would not let them write. Run this again with "
                "--add-to-editors, or add them to the group in the admin."
            )
        token, created = Token.objects.get_or_create(user=user)
        # The key alone on standard output, so that a script can capture it; the rest aside.
        self.stderr.write(
            f"{'New' if created else 'Existing'} token of “{username}”. Send it as "
            "`Authorization: Token <key>`; delete it in the admin (Tokens) to revoke it."
        )
        self.stdout.write(token.key)
