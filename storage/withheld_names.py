"""Cambridge Art Therapy: a complainant who chose not to share their name is not identified
to the people investigating. Only administrators (who keep the records and see to delivery)
see who it is; everyone else sees WITHHELD and no contact details (storage/name_sharing.py
asks the person when the investigation needs their name)."""

from __future__ import annotations

from storage.models import Complaint
from storage.staff import ADMIN
from storage.visibility import Viewer

WITHHELD = "(name withheld at their request)"


def name_hidden(complaint: Complaint, viewer: Viewer) -> bool:
    return not complaint.share_name and ADMIN not in viewer.roles
