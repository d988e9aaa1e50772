"""Saved views of the case list: a user's named filters and sort, kept as a cleaned query string.

Each user sees and changes only their own views. At most one is their default: the case list
opened without any filter shows it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event
from common.errors import NotAllowed, ServiceValidationError

from .. import permissions, selectors
from ..models import SavedView
from .base import require_role, save_as


def _clean_name(actor, name: str, *, other_than: SavedView | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceValidationError({"name": _("Give the view a name.")})
    if len(name) > SavedView.NAME_MAX_LENGTH:
        raise ServiceValidationError(
            {"name": _("At most %(n)d characters.") % {"n": SavedView.NAME_MAX_LENGTH}}
        )
    clash = selectors.saved_views(actor).filter(name=name)
    if other_than is not None:
        clash = clash.exclude(pk=other_than.pk)
    if clash.exists():
        raise ServiceValidationError(
            {"name": _("You already have a view named “%(name)s”.") % {"name": name}}
        )
    return name


def _require_owner(actor, view: SavedView) -> None:
    if view.user_id != actor.pk:
        raise NotAllowed(_("Only its owner may change a saved view."))


def _clear_default(actor, keep: SavedView | None = None) -> None:
    for other in selectors.saved_views(actor).filter(is_default=True).select_for_update():
        if keep is None or other.pk != keep.pk:
            other.is_default = False
            save_as(other, actor, reason="another view is the default")


def _event(actor, action: str, view: SavedView, summary: str) -> None:
    record_event(
        actor=actor,
        action=action,
        obj=view,
        summary=summary,
        data={"name": view.name, "query": view.query, "default": view.is_default},
    )


@transaction.atomic
def save_view(actor, *, name: str, params, is_default: bool = False) -> SavedView:
    """Save the case list's current filters and sort (`params`, its query parameters; only the
    known ones are kept) under `name`."""
    require_role(actor, *permissions.CASE_READERS, action=_("save views of the case list"))
    name = _clean_name(actor, name)
    query = selectors.clean_list_query(params)
    if len(query) > SavedView.QUERY_MAX_LENGTH:
        raise ServiceValidationError({"name": _("These filters are too long to save.")})
    if is_default:
        _clear_default(actor)
    view = save_as(
        SavedView(user=actor, name=name, query=query, is_default=is_default), actor, "saved"
    )
    _event(actor, "saved_view.created", view, f"Saved the case list view {name!r}")
    return view


@transaction.atomic
def change_view(actor, view: SavedView, *, name: str, is_default: bool) -> SavedView:
    """Rename `view` and make it the default or not."""
    _require_owner(actor, view)
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    name = _clean_name(actor, name, other_than=view)
    if name == view.name and is_default == view.is_default:
        return view
    if is_default:
        _clear_default(actor, keep=view)
    view.name, view.is_default = name, is_default
    save_as(view, actor, "changed")
    _event(actor, "saved_view.changed", view, f"Changed the case list view {name!r}")
    return view


@transaction.atomic
def delete_view(actor, view: SavedView) -> None:
    _require_owner(actor, view)
    _event(actor, "saved_view.deleted", view, f"Deleted the case list view {view.name!r}")
    view._history_user = actor
    view.delete()
