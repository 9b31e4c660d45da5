/* doorstep: attachments of image, audio, video and file questions. */
/*
 * The kinds are told by their first bytes (the signatures in each
 * format's own specification), as a camera or a recorder writes them.
 */
#include "form_media.h"

#include <stdio.h>
#include <string.h>

/* Families a signature belongs to. */
#define FAM_IMAGE	1
#define FAM_AUDIO	2
#define FAM_VIDEO	4

struct sig {
	size_t		 off;
	const char	*bytes;
	size_t		 n;
	const char	*ext;
	int		 fam;
};

/* Fixed signatures; ISO base media (ftyp) and RIFF are told below. */
static const struct sig sigs[] = {
	{ 0, "\xff\xd8\xff", 3, "jpg", FAM_IMAGE },
	{ 0, "\x89PNG\r\n\x1a\n", 8, "png", FAM_IMAGE },
	{ 0, "GIF87a", 6, "gif", FAM_IMAGE },
	{ 0, "GIF89a", 6, "gif", FAM_IMAGE },
	{ 0, "BM", 2, "bmp", FAM_IMAGE },
	{ 0, "II*\0", 4, "tif", FAM_IMAGE },
	{ 0, "MM\0*", 4, "tif", FAM_IMAGE },
	{ 0, "ID3", 3, "mp3", FAM_AUDIO },
	{ 0, "\xff\xfb", 2, "mp3", FAM_AUDIO },
	{ 0, "\xff\xf3", 2, "mp3", FAM_AUDIO },
	{ 0, "\xff\xf2", 2, "mp3", FAM_AUDIO },
	{ 0, "\xff\xf1", 2, "aac", FAM_AUDIO },
	{ 0, "\xff\xf9", 2, "aac", FAM_AUDIO },
	{ 0, "#!AMR", 5, "amr", FAM_AUDIO },
	{ 0, "OggS", 4, "ogg", FAM_AUDIO | FAM_VIDEO },
	{ 0, "fLaC", 4, "flac", FAM_AUDIO },
	{ 0, "\x1a\x45\xdf\xa3", 4, "webm", FAM_AUDIO | FAM_VIDEO },
	{ 0, "\x30\x26\xb2\x75", 4, "wmv", FAM_AUDIO | FAM_VIDEO },
	{ 0, NULL, 0, NULL, 0 }
};

/* ISO base media brands (bytes 8..12 after "ftyp" at 4). */
static const struct sig brands[] = {
	{ 8, "heic", 4, "heic", FAM_IMAGE },
	{ 8, "heix", 4, "heic", FAM_IMAGE },
	{ 8, "mif1", 4, "heic", FAM_IMAGE },
	{ 8, "avif", 4, "avif", FAM_IMAGE },
	{ 8, "M4A ", 4, "m4a", FAM_AUDIO },
	{ 8, "3gp", 3, "3gp", FAM_AUDIO | FAM_VIDEO },
	{ 8, "qt  ", 4, "mov", FAM_VIDEO },
	{ 0, NULL, 0, NULL, 0 }
};

static int
at(const unsigned char *p, size_t n, size_t off, const char *b, size_t bn)
{
	return n >= off + bn && memcmp(p + off, b, bn) == 0;
}

/* The kind of the bytes: its extension and families, or NULL. */
static const char *
sniff(const unsigned char *p, size_t n, int *fam)
{
	size_t i;

	for (i = 0; sigs[i].bytes != NULL; i++)
		if (at(p, n, sigs[i].off, sigs[i].bytes, sigs[i].n)) {
			*fam = sigs[i].fam;
			return sigs[i].ext;
		}
	if (at(p, n, 4, "ftyp", 4)) {
		for (i = 0; brands[i].bytes != NULL; i++)
			if (at(p, n, brands[i].off, brands[i].bytes,
			    brands[i].n)) {
				*fam = brands[i].fam;
				return brands[i].ext;
			}
		*fam = FAM_AUDIO | FAM_VIDEO;	/* mp4, isom, ... */
		return "mp4";
	}
	if (at(p, n, 0, "RIFF", 4)) {
		if (at(p, n, 8, "WEBP", 4))
			return *fam = FAM_IMAGE, "webp";
		if (at(p, n, 8, "WAVE", 4))
			return *fam = FAM_AUDIO, "wav";
		if (at(p, n, 8, "AVI ", 4))
			return *fam = FAM_VIDEO, "avi";
	}
	*fam = 0;
	return NULL;
}

int
form_type_media(enum form_type t)
{
	return t == FT_IMAGE || t == FT_AUDIO || t == FT_VIDEO ||
	    t == FT_FILE;
}

static int
name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
form_media_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > FORM_MEDIA_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The extension of src's last component, lower-cased, if plain. */
static int
src_ext(const char *src, char ext[FORM_MEDIA_EXT_MAX + 1])
{
	const char *base, *dot;
	size_t i, n;

	if (src == NULL)
		return 0;
	base = strrchr(src, '/');
	base = base != NULL ? base + 1 : src;
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return 0;
	n = strlen(++dot);
	if (n < 1 || n > FORM_MEDIA_EXT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)dot[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return 0;
		ext[i] = (char)c;
	}
	ext[n] = '\0';
	return 1;
}

enum form_media_fit
form_media_fit(enum form_type t, const char *src, const unsigned char *p,
    size_t n, char ext[FORM_MEDIA_EXT_MAX + 1])
{
	const char *k;
	int fam, want;

	ext[0] = '\0';
	if (n == 0)
		return FORM_MEDIA_EMPTY;
	k = sniff(p, n, &fam);
	want = t == FT_IMAGE ? FAM_IMAGE : t == FT_AUDIO ? FAM_AUDIO :
	    t == FT_VIDEO ? FAM_VIDEO : 0;
	if (want != 0 && (fam & want) == 0)
		return FORM_MEDIA_KIND;
	if (t != FT_FILE && !form_type_media(t))
		return FORM_MEDIA_KIND;
	if (k != NULL)
		snprintf(ext, FORM_MEDIA_EXT_MAX + 1, "%s", k);
	else if (!src_ext(src, ext))
		snprintf(ext, FORM_MEDIA_EXT_MAX + 1, "bin");
	return FORM_MEDIA_OK;
}

int
form_media_name(int64_t ms, const char *ext, char *out, size_t cap)
{
	int r = snprintf(out, cap, "%lld.%s", (long long)ms, ext);

	if (r < 0 || (size_t)r >= cap || !form_media_name_ok(out, (size_t)r))
		return -1;
	return 0;
}
