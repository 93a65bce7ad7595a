"""What a saved version of a post holds (django-reversion).

A version of a post is the post's own fields plus its ordered authors and its tags. Both
go through explicit through models, which Django's serializer skips on the post itself, so
they are followed: `post_authors` (PostAuthor rows, with their position) and
`taggedpost_set` (TaggedPost rows). Categories are a plain many-to-many and are stored with
the post.

Each TaggedPost version follows its tag, so restoring a post whose tag was merged away
since brings the tag back instead of failing on a missing row.
"""

import reversion

from posts.models import Post, PostAuthor, Tag, TaggedPost


def register_models() -> None:
    """Register the versioned models once (the admin imports this before it is built)."""
    if reversion.is_registered(Post):
        return
    reversion.register(Tag)
    reversion.register(TaggedPost, follow=["tag"])
    reversion.register(PostAuthor)
    reversion.register(Post, follow=["post_authors", "taggedpost_set"])
