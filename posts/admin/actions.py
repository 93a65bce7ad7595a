"""Bulk actions of the admin lists: publishing, tagging, categories, merging.

Each post an action changes is saved on its own, in a revision of its own, and logged, so
its history shows the change and restoring it restores only that post. (One revision for
the whole selection would make "restore" roll back every other post in it too.)
"""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from posts.admin.forms import AddTagForm, MergeForm, SetCategoryForm
from posts.api.caching import invalidate as invalidate_api_cache
from posts.markdown_io.fields import never_written_out
from posts.models import Category, Post, Tag, TaggedPost, never_visible
from posts.roles import can_publish
from posts.versioning import BEFORE_FIRST_CHANGE, keep_first_versions

# The largest primary key a BigAutoField holds.
MAX_ID = 2**63 - 1
# The most posts one bulk action changes. Each is saved and versioned on its own (9 ms on
# SQLite, 22-30 ms on PostgreSQL for seed-site posts), and a request must end well within
# the server's timeout (gunicorn.conf.py: 120 s): 5,000 posts took 70 s on SQLite.
MAX_ACTION_POSTS = 1000


class CheckedSelection:
    """A ModelAdmin mixin: a bulk action's selected ids must be ids.

    Django's admin filters on whatever `_selected_action` holds: `abc` raised ValueError
    and a 20-digit number OverflowError (SQLite), both 500s. Only a hand-made request
    sends them; it gets a message and the list again.
    """

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(
            value.isascii() and value.isdigit() and int(value) <= MAX_ID for value in selected
        ):
            self.message_user(
                request, "That selection names no items; select them again.", messages.WARNING
            )
            return HttpResponseRedirect(request.get_full_path())
        if self.model is Post:
            count = self._selected(request, queryset).count()
            if count > MAX_ACTION_POSTS:
                self.message_user(
                    request,
                    f"An action changes at most {MAX_ACTION_POSTS:,} posts at a time, and "
                    f"{count:,} are selected: narrow the list with a search or a filter, "
                    "then run it on each part.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    @staticmethod
    def _selected(request, queryset):
        if request.POST.get("select_across") == "1":
            return queryset
        return queryset.filter(pk__in=request.POST.getlist(ACTION_CHECKBOX_NAME))


def _fresh_posts(request, queryset, *, changing=lambda post: True) -> list[Post]:
    """The selected posts with every column loaded (the list defers the heavy ones), each
    the action will change (`changing`) with a version of it as it is now if it had none
    (posts.versioning)."""
    posts = list(
        Post.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).order_by("pk")
    )
    for post in posts:
        # Their stored HTML is their body's: an action changes neither (Post.save).
        post._rendered_from = (post.body, post.excerpt)
    changed = [post.pk for post in posts if changing(post)]
    keep_first_versions(changed, user=request.user, before=BEFORE_FIRST_CHANGE)
    return posts


def _save_version(model_admin, request, post: Post, comment: str, *, change=None) -> bool:
    """Apply `change(post)` (if any), save the post, and keep that as a version. True when
    that took a published post offline (an Author's change is a draft)."""
    offline = False
    with transaction.atomic(), reversion.create_revision():
        if change is not None:
            change(post)
        if not can_publish(request.user) and post.status == Post.Status.PUBLISHED:
            # Same rule as the form: what an Author changes goes back to being a draft.
            post.status = Post.Status.DRAFT
            offline = True
        post.save()
        reversion.set_user(request.user)
        reversion.set_comment(comment)
        model_admin.log_change(request, post, comment)
    return offline


def _change_each(model_admin, request, queryset, comment: str, change) -> tuple[int, int]:
    """Apply `change(post)` to every selected post, all or none, each saved as a version:
    (posts changed, how many of them that took offline)."""
    count = offline = 0
    with transaction.atomic():
        for post in _fresh_posts(request, queryset):
            offline += _save_version(model_admin, request, post, comment, change=change)
            count += 1
    return count, offline


def _say_taken_offline(model_admin, request, offline: int) -> None:
    """The form's warning, for a bulk action: an Author's change took posts offline."""
    if offline:
        model_admin.message_user(
            request,
            f"{offline} of these post(s) were published: changed by you, they are drafts "
            "again, offline until an editor publishes them.",
            messages.WARNING,
        )


def _offline_notice(request, queryset) -> str:
    """For an action's intermediate page: what it will do to published posts."""
    if can_publish(request.user):
        return ""
    published = queryset.filter(status=Post.Status.PUBLISHED).count()
    if not published:
        return ""
    return (
        f" {published} of them are published: changed by you, they become drafts, "
        "offline until an editor publishes them."
    )


# The intermediate page names this many of the selected objects, then counts the rest.
SHOWN_ON_CONFIRMATION = 20


def _intermediate_page(model_admin, request, queryset, *, form, title, action, intro):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "form": form,
        "shown": list(queryset.order_by()[:SHOWN_ON_CONFIRMATION]),
        "count": queryset.count(),
        # "Select all N" across pages is passed on as such rather than as N hidden ids.
        "select_across": request.POST.get("select_across") == "1",
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "action": action,
        "intro": intro,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/posts/action_form.html", context)


@admin.action(description="Publish selected posts", permissions=["publish"])
def publish_posts(model_admin, request, queryset):
    now = timezone.now()
    live = scheduled = expired = unbuilt = 0

    def builds_a_page(post: Post) -> bool:  # as the form refuses to publish it otherwise
        return not never_written_out(post.meta or {})

    with transaction.atomic():  # all or nothing, should the request be cut short
        for post in _fresh_posts(request, queryset, changing=builds_a_page):
            if not builds_a_page(post):
                unbuilt += post.status == Post.Status.DRAFT
                continue
            post.status = Post.Status.PUBLISHED
            if post.published_at is None:
                post.published_at = now.replace(microsecond=0)
            _save_version(model_admin, request, post, "Published (bulk action).")
            if never_visible(post.published_at, post.expires_at, now):
                expired += 1
            elif post.published_at > now:
                scheduled += 1
            else:
                live += 1
    model_admin.message_user(
        request,
        f"{live} post(s) published"
        + (f", {scheduled} scheduled for their future date" if scheduled else "")
        + ".",
        messages.SUCCESS,
    )
    if expired:
        model_admin.message_user(
            request,
            f"{expired} post(s) stay hidden: their expiry date has passed "
            "(or comes before they go live). Clear or change it to show them.",
            messages.WARNING,
        )
    if unbuilt:
        model_admin.message_user(
            request,
            f"{unbuilt} post(s) stay drafts: their extra front matter says the site builds "
            "no page of them (headless, build or permalink: false).",
            messages.WARNING,
        )


@admin.action(description="Unpublish selected posts (back to draft)", permissions=["publish"])
def unpublish_posts(model_admin, request, queryset):
    count, _ = _change_each(
        model_admin,
        request,
        queryset.exclude(status=Post.Status.DRAFT),
        "Unpublished (bulk action).",
        lambda post: setattr(post, "status", Post.Status.DRAFT),
    )
    model_admin.message_user(request, f"{count} post(s) are drafts again.", messages.SUCCESS)


@admin.action(description="Add a tag to selected posts…", permissions=["change"])
def add_tag(model_admin, request, queryset):
    suggest_url = reverse(f"{model_admin.admin_site.name}:posts_post_tag_suggestions")
    if "apply" in request.POST:
        form = AddTagForm(request.POST, suggest_url=suggest_url)
        if form.is_valid():
            name = form.cleaned_data["tag"]
            count, offline = _change_each(
                model_admin,
                request,
                queryset,
                f"Added tag “{name}” (bulk action).",
                lambda post: post.tags.add(name),
            )
            model_admin.message_user(
                request, f"Tag “{name}” added to {count} post(s).", messages.SUCCESS
            )
            _say_taken_offline(model_admin, request, offline)
            return None
    else:
        form = AddTagForm(suggest_url=suggest_url)
    return _intermediate_page(
        model_admin,
        request,
        queryset,
        form=form,
        title="Add a tag",
        action="add_tag",
        intro="Add one tag to these posts:" + _offline_notice(request, queryset),
    )


@admin.action(description="Set a category on selected posts…", permissions=["change"])
def set_category(model_admin, request, queryset):
    if "apply" in request.POST:
        form = SetCategoryForm(request.POST)
        if form.is_valid():
            category = form.cleaned_data["category"]
            replace = form.cleaned_data["mode"] == SetCategoryForm.REPLACE
            verb = "Set category" if replace else "Added category"
            count, offline = _change_each(
                model_admin,
                request,
                queryset,
                f"{verb} “{category}” (bulk action).",
                lambda post: (
                    post.categories.set([category]) if replace else post.categories.add(category)
                ),
            )
            model_admin.message_user(
                request, f"Category “{category}” set on {count} post(s).", messages.SUCCESS
            )
            _say_taken_offline(model_admin, request, offline)
            return None
    else:
        form = SetCategoryForm()
    return _intermediate_page(
        model_admin,
        request,
        queryset,
        form=form,
        title="Set a category",
        action="set_category",
        intro="Put these posts in a category:" + _offline_notice(request, queryset),
    )


# Merging ------------------------------------------------------------------------------


def _merge_links(through, *, owner: str, target_field: str, target, others) -> None:
    """Re-point every link from `others` to `target`, without creating duplicate links."""
    others_ids = [other.pk for other in others]
    links = through.objects.filter(**{f"{target_field}__in": others_ids})
    # Posts that already have the target: their links to the others just go.
    having_target = through.objects.filter(**{target_field: target}).values(owner)
    links.filter(**{f"{owner}__in": having_target}).delete()
    # Posts with several of the others: keep one link per post, re-pointed below.
    keep = links.values(owner).annotate(first=Min("pk")).values("first")
    links.exclude(pk__in=keep).delete()
    links.update(**{target_field: target})
    # QuerySet.update() sends no signal: tell the API's response cache.
    invalidate_api_cache()


def merge_tags(*, target: Tag, others) -> None:
    with transaction.atomic():
        _merge_links(
            TaggedPost, owner="content_object", target_field="tag", target=target, others=others
        )
        Post.objects.filter(
            pk__in=TaggedPost.objects.filter(tag=target).values("content_object")
        ).update(updated_at=timezone.now())
        Tag.objects.filter(pk__in=[other.pk for other in others]).delete()


def merge_categories(*, target: Category, others) -> None:
    through = Post.categories.through
    with transaction.atomic():
        _merge_links(through, owner="post", target_field="category", target=target, others=others)
        Post.objects.filter(pk__in=through.objects.filter(category=target).values("post")).update(
            updated_at=timezone.now()
        )
        Category.objects.filter(pk__in=[other.pk for other in others]).delete()


def _merge_action(model_admin, request, queryset, *, merge, noun):
    selected = list(queryset)
    if len(selected) < 2:
        model_admin.message_user(request, f"Select at least two {noun} to merge.", messages.WARNING)
        return None
    if "apply" in request.POST:
        form = MergeForm(request.POST, queryset=queryset)
        if form.is_valid():
            target = form.cleaned_data["target"]
            others = [item for item in selected if item.pk != target.pk]
            merge(target=target, others=others)
            names = ", ".join(f"“{other}”" for other in others)
            model_admin.message_user(request, f"Merged {names} into “{target}”.", messages.SUCCESS)
            return None
    else:
        form = MergeForm(queryset=queryset, initial={"target": selected[0].pk})
    return _intermediate_page(
        model_admin,
        request,
        queryset,
        form=form,
        title=f"Merge {noun}",
        action=request.POST["action"],
        intro=(
            f"Merge these {noun} into one. Posts keep every link; the {noun} not kept are "
            "deleted. This cannot be undone from here."
        ),
    )


@admin.action(description="Merge selected tags into one…", permissions=["delete"])
def merge_selected_tags(model_admin, request, queryset):
    return _merge_action(model_admin, request, queryset, merge=merge_tags, noun="tags")


@admin.action(description="Merge selected categories into one…", permissions=["delete"])
def merge_selected_categories(model_admin, request, queryset):
    return _merge_action(model_admin, request, queryset, merge=merge_categories, noun="categories")
