'use strict';
// The slug the admin fills in as a title or name is typed (Django's prepopulate.js calls
// the global URLify). Django's URLify keeps Unicode letters and numbers but drops combining
// marks, the vowel signs of Devanagari, Thai, Tamil and other scripts (हिन्दी became हनद);
// this one keeps them, as the server's slugs do (posts/slugs.py). Loaded after urlify.js.
{
    const djangoURLify = window.URLify;
    window.URLify = function(text, maxLength, allowUnicode) {
        if (!allowUnicode) {
            return djangoURLify(text, maxLength, allowUnicode);
        }
        const slug = text.normalize('NFKC').toLowerCase()
            .replace(/[^-_\p{L}\p{M}\p{N}\s]/gu, '')
            .trim()
            .replace(/[-\s]+/g, '-')
            .substring(0, maxLength);
        // As the server's make_slug: no `-` or `_` at either end (`_Draft notes` is
        // `draft-notes` there; a prefill it did not recognise got no free suffix).
        return slug.replace(/^[-_]+|[-_]+$/g, '');
    };
}
