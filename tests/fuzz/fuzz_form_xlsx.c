/* doorstep: libFuzzer target for the .xlsx form loader. */
/*
 * Feeds a workbook to form_load_xlsx (libzip + expat + the XLSForm loader)
 * and checks the model's invariants (form_check.h).  An input that starts
 * with "PK" is used as the zip itself; any other input is XML parts split
 * by NULs: the survey sheet, then the shared strings, then xl/styles.xml,
 * then a workbook.xml in place of the fixed one (its sheets must use
 * rId1 and rId2; workbookPr date1904 goes there); the target wraps them in
 * a valid zip, so mutations reach the XML readers instead of dying on zip
 * checksums.  A failed load must have recorded at least one error.  Leaks
 * are caught by ASan.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "form.h"
#include "mem.h"
#include "xls.h"

#include "form_check.h"

#include <zip.h>

static const char fz_wb[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"survey\" sheetId=\"1\" r:id=\"rId1\"/>"
    "<sheet name=\"choices\" sheetId=\"2\" r:id=\"rId2\"/>"
    "</sheets></workbook>";
static const char fz_rels[] =
    "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/"
    "sheet1.xml\"/><Relationship Id=\"rId2\" Target=\"worksheets/"
    "sheet2.xml\"/></Relationships>";
static const char fz_choices[] =
    "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>"
    "list_name</t></is></c><c t=\"inlineStr\"><is><t>name</t></is></c>"
    "<c t=\"inlineStr\"><is><t>label</t></is></c></row><row r=\"2\">"
    "<c t=\"inlineStr\"><is><t>l</t></is></c><c t=\"inlineStr\"><is>"
    "<t>a</t></is></c><c t=\"inlineStr\"><is><t>A</t></is></c></row>"
    "</sheetData></worksheet>";

/* Optional parts: shared strings, styles, workbook (NULL: absent). */
#define FZ_NOPT	3
static const char *const fz_optname[FZ_NOPT] = { "xl/sharedStrings.xml",
    "xl/styles.xml", "xl/workbook.xml" };

/* Zip the parts in memory; a malloc'd buffer or NULL. */
static unsigned char *
fz_zip(const uint8_t *sheet, size_t ns, const uint8_t *const *opt,
    const size_t *nopt, size_t *len)
{
	zip_source_t *src;
	zip_t *z;
	zip_error_t ze;
	zip_int64_t n;
	unsigned char *buf = NULL;
	int i;

	zip_error_init(&ze);
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL)
		return NULL;
	zip_source_keep(src);
	if ((z = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL) {
		zip_source_free(src);
		zip_source_free(src);
		return NULL;
	}
	if (opt[2] == NULL)
		zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, fz_wb,
		    sizeof(fz_wb) - 1, 0), 0);
	zip_file_add(z, "xl/_rels/workbook.xml.rels", zip_source_buffer(z,
	    fz_rels, sizeof(fz_rels) - 1, 0), 0);
	zip_file_add(z, "xl/worksheets/sheet1.xml", zip_source_buffer(z,
	    sheet, ns, 0), 0);
	zip_file_add(z, "xl/worksheets/sheet2.xml", zip_source_buffer(z,
	    fz_choices, sizeof(fz_choices) - 1, 0), 0);
	for (i = 0; i < FZ_NOPT; i++)
		if (opt[i] != NULL)
			zip_file_add(z, fz_optname[i], zip_source_buffer(z,
			    opt[i], nopt[i], 0), 0);
	if (zip_close(z) != 0) {
		zip_discard(z);
		zip_source_free(src);
		return NULL;
	}
	if (zip_source_open(src) == 0) {
		zip_source_seek(src, 0, SEEK_END);
		n = zip_source_tell(src);
		zip_source_seek(src, 0, SEEK_SET);
		if (n > 0 && (buf = malloc((size_t)n)) != NULL &&
		    zip_source_read(src, buf, (zip_uint64_t)n) != n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xls_opts o = { "fuzz.xlsx", fz_fetch, NULL };
	struct form_diags d;
	struct form *f = NULL;
	enum ds_status rc;
	char buf[256];
	size_t i;

	unsigned char *zipped = NULL;
	const uint8_t *nul, *opt[FZ_NOPT] = { NULL, NULL, NULL }, *p;
	size_t zlen = 0, nopt[FZ_NOPT] = { 0, 0, 0 }, ns, rest;
	int k;

	if (size > (1u << 20))
		return 0;
	if (size < 2 || data[0] != 'P' || data[1] != 'K') {
		nul = memchr(data, '\0', size);
		ns = nul ? (size_t)(nul - data) : size;
		p = nul ? nul + 1 : NULL;
		rest = nul ? size - ns - 1 : 0;
		for (k = 0; k < FZ_NOPT && p != NULL; k++) {
			opt[k] = p;
			nul = memchr(p, '\0', rest);
			nopt[k] = nul ? (size_t)(nul - p) : rest;
			p = nul ? nul + 1 : NULL;
			rest = nul ? rest - nopt[k] - 1 : 0;
		}
		zipped = fz_zip(data, ns, opt, nopt, &zlen);
		if (zipped == NULL)
			return 0;
		data = zipped;
		size = zlen;
	}
	form_diags_init(&d);
	rc = form_load_xlsx(data, size, &o, &f, &d);
	free(zipped);
	if (rc == DS_OK) {
		assert(f != NULL);
		fz_check(f);
		form_free(f);
	} else {
		assert(f == NULL && d.nerrors > 0);
	}
	for (i = 0; i < d.n; i++)
		form_diag_format(&d.v[i], buf, sizeof(buf));
	form_diags_reset(&d);
	return 0;
}
