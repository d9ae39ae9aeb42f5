/* rpm header structures through librpm's header API (the only file that writes with librpm):
 * a header under construction, puts that rpm's tag table type-checks, and export as an
 * immutable region with the 8-byte magic. The tag numbers are the file format's own (rpm's
 * rpmtag.h), repeated here so that no other writer file includes librpm. */
#ifndef PW_CORE_RPM_HEADER_H
#define PW_CORE_RPM_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

/* Main-header tags (package-formats.md §C.5-C.8). */
enum pw_rpmtag {
    PW_RPMTAG_NAME = 1000,
    PW_RPMTAG_VERSION = 1001,
    PW_RPMTAG_RELEASE = 1002,
    PW_RPMTAG_EPOCH = 1003,
    PW_RPMTAG_SUMMARY = 1004,
    PW_RPMTAG_DESCRIPTION = 1005,
    PW_RPMTAG_BUILDTIME = 1006,
    PW_RPMTAG_BUILDHOST = 1007,
    PW_RPMTAG_SIZE = 1009,
    PW_RPMTAG_VENDOR = 1011,
    PW_RPMTAG_LICENSE = 1014,
    PW_RPMTAG_PACKAGER = 1015,
    PW_RPMTAG_GROUP = 1016,
    PW_RPMTAG_URL = 1020,
    PW_RPMTAG_OS = 1021,
    PW_RPMTAG_ARCH = 1022,
    PW_RPMTAG_PREIN = 1023,
    PW_RPMTAG_POSTIN = 1024,
    PW_RPMTAG_PREUN = 1025,
    PW_RPMTAG_POSTUN = 1026,
    PW_RPMTAG_FILESIZES = 1028,
    PW_RPMTAG_FILEMODES = 1030,
    PW_RPMTAG_FILERDEVS = 1033,
    PW_RPMTAG_FILEMTIMES = 1034,
    PW_RPMTAG_FILEDIGESTS = 1035,
    PW_RPMTAG_FILELINKTOS = 1036,
    PW_RPMTAG_FILEFLAGS = 1037,
    PW_RPMTAG_FILEUSERNAME = 1039,
    PW_RPMTAG_FILEGROUPNAME = 1040,
    PW_RPMTAG_SOURCERPM = 1044,
    PW_RPMTAG_FILEVERIFYFLAGS = 1045,
    PW_RPMTAG_PROVIDENAME = 1047,
    PW_RPMTAG_REQUIREFLAGS = 1048,
    PW_RPMTAG_REQUIRENAME = 1049,
    PW_RPMTAG_REQUIREVERSION = 1050,
    PW_RPMTAG_CONFLICTFLAGS = 1053,
    PW_RPMTAG_CONFLICTNAME = 1054,
    PW_RPMTAG_CONFLICTVERSION = 1055,
    PW_RPMTAG_CHANGELOGTIME = 1080,
    PW_RPMTAG_CHANGELOGNAME = 1081,
    PW_RPMTAG_CHANGELOGTEXT = 1082,
    PW_RPMTAG_PREINPROG = 1085,
    PW_RPMTAG_POSTINPROG = 1086,
    PW_RPMTAG_PREUNPROG = 1087,
    PW_RPMTAG_POSTUNPROG = 1088,
    PW_RPMTAG_OBSOLETENAME = 1090,
    PW_RPMTAG_FILEDEVICES = 1095,
    PW_RPMTAG_FILEINODES = 1096,
    PW_RPMTAG_FILELANGS = 1097,
    PW_RPMTAG_PROVIDEFLAGS = 1112,
    PW_RPMTAG_PROVIDEVERSION = 1113,
    PW_RPMTAG_OBSOLETEFLAGS = 1114,
    PW_RPMTAG_OBSOLETEVERSION = 1115,
    PW_RPMTAG_DIRINDEXES = 1116,
    PW_RPMTAG_BASENAMES = 1117,
    PW_RPMTAG_DIRNAMES = 1118,
    PW_RPMTAG_PAYLOADFORMAT = 1124,
    PW_RPMTAG_PAYLOADCOMPRESSOR = 1125,
    PW_RPMTAG_PAYLOADFLAGS = 1126,
    PW_RPMTAG_FILECOLORS = 1140,
    PW_RPMTAG_PRETRANS = 1151,
    PW_RPMTAG_POSTTRANS = 1152,
    PW_RPMTAG_PRETRANSPROG = 1153,
    PW_RPMTAG_POSTTRANSPROG = 1154,
    PW_RPMTAG_LONGFILESIZES = 5008,
    PW_RPMTAG_LONGSIZE = 5009,
    PW_RPMTAG_FILEDIGESTALGO = 5011,
    PW_RPMTAG_RECOMMENDNAME = 5046,
    PW_RPMTAG_RECOMMENDVERSION = 5047,
    PW_RPMTAG_RECOMMENDFLAGS = 5048,
    PW_RPMTAG_SUGGESTNAME = 5049,
    PW_RPMTAG_SUGGESTVERSION = 5050,
    PW_RPMTAG_SUGGESTFLAGS = 5051,
    PW_RPMTAG_SUPPLEMENTNAME = 5052,
    PW_RPMTAG_SUPPLEMENTVERSION = 5053,
    PW_RPMTAG_SUPPLEMENTFLAGS = 5054,
    PW_RPMTAG_ENHANCENAME = 5055,
    PW_RPMTAG_ENHANCEVERSION = 5056,
    PW_RPMTAG_ENHANCEFLAGS = 5057,
    PW_RPMTAG_ENCODING = 5062,
    PW_RPMTAG_PAYLOADDIGEST = 5092,
    PW_RPMTAG_PAYLOADDIGESTALGO = 5093,
    PW_RPMTAG_PAYLOADDIGESTALT = 5097,
};

/* Signature-header tags. 1000, 1004 and 1007 collide with main-header tags of other types,
 * so they go through the pw_rpm_header_put_sig_* functions, which skip the tag table. */
enum pw_rpmsigtag {
    PW_RPMSIGTAG_DSA = 267,
    PW_RPMSIGTAG_RSA = 268,
    PW_RPMSIGTAG_SHA1 = 269,
    PW_RPMSIGTAG_LONGSIZE = 270,
    PW_RPMSIGTAG_LONGARCHIVESIZE = 271,
    PW_RPMSIGTAG_SHA256 = 273,
    PW_RPMSIGTAG_SIZE = 1000,
    PW_RPMSIGTAG_MD5 = 1004,
    PW_RPMSIGTAG_PAYLOADSIZE = 1007,
    PW_RPMSIGTAG_RESERVEDSPACE = 1008,
};

/* Dependency flags (rpmds.h). */
enum {
    PW_RPMSENSE_LESS = 1 << 1,
    PW_RPMSENSE_GREATER = 1 << 2,
    PW_RPMSENSE_EQUAL = 1 << 3,
    PW_RPMSENSE_INTERP = 1 << 8,
    PW_RPMSENSE_SCRIPT_PRE = 1 << 9,
    PW_RPMSENSE_SCRIPT_POST = 1 << 10,
    PW_RPMSENSE_SCRIPT_PREUN = 1 << 11,
    PW_RPMSENSE_SCRIPT_POSTUN = 1 << 12,
    PW_RPMSENSE_PRETRANS = 1 << 7,
    PW_RPMSENSE_POSTTRANS = 1 << 5,
    PW_RPMSENSE_RPMLIB = 1 << 24,
    PW_RPMSENSE_CONFIG = 1 << 28,
};

/* File flags (rpmfiles.h). */
enum {
    PW_RPMFILE_CONFIG = 1 << 0,
    PW_RPMFILE_DOC = 1 << 1,
    PW_RPMFILE_NOREPLACE = 1 << 4,
    PW_RPMFILE_GHOST = 1 << 6,
    PW_RPMFILE_LICENSE = 1 << 7,
};

#define PW_RPM_DIGESTALGO_SHA256 8
#define PW_RPM_LEAD_SIZE 96

enum pw_rpm_header_kind {
    PW_RPM_HEADER_MAIN,      /* region tag 63, no padding */
    PW_RPM_HEADER_SIGNATURE, /* region tag 62, zero-padded to a multiple of 8 */
};

struct pw_rpm_header; /* a librpm header under construction */

struct pw_rpm_header *pw_rpm_header_new(void);
void pw_rpm_header_free(struct pw_rpm_header *h);

/* Main-header puts, type-checked by librpm against its tag table (a mismatch is an error:
 * rpm refuses mistyped tags on read). Arrays need n >= 1 (rpm rejects empty arrays). */
int pw_rpm_header_put_string(struct pw_rpm_header *h, int tag, const char *s, struct pw_err *err);
/* SUMMARY, DESCRIPTION, GROUP: I18N strings in locale "C" (adds HEADERI18NTABLE). */
int pw_rpm_header_put_i18n(struct pw_rpm_header *h, int tag, const char *s, struct pw_err *err);
int pw_rpm_header_put_strings(struct pw_rpm_header *h, int tag, const char *const *v, size_t n,
                              struct pw_err *err);
int pw_rpm_header_put_u16(struct pw_rpm_header *h, int tag, const uint16_t *v, size_t n,
                          struct pw_err *err);
int pw_rpm_header_put_u32(struct pw_rpm_header *h, int tag, const uint32_t *v, size_t n,
                          struct pw_err *err);
int pw_rpm_header_put_u64(struct pw_rpm_header *h, int tag, const uint64_t *v, size_t n,
                          struct pw_err *err);

/* Signature-header puts with an explicit type. */
int pw_rpm_header_put_sig_string(struct pw_rpm_header *h, int tag, const char *s,
                                 struct pw_err *err);
int pw_rpm_header_put_sig_bin(struct pw_rpm_header *h, int tag, const void *data, size_t len,
                              struct pw_err *err);
int pw_rpm_header_put_sig_u32(struct pw_rpm_header *h, int tag, uint32_t v, struct pw_err *err);
int pw_rpm_header_put_sig_u64(struct pw_rpm_header *h, int tag, uint64_t v, struct pw_err *err);

/* Appends the header as written in a package: magic, index count, data length, the index
 * (sorted by tag, the region entry first) and the data with its region trailer. h is left
 * unchanged and may be exported again. */
int pw_rpm_header_export(const struct pw_rpm_header *h, enum pw_rpm_header_kind kind,
                         struct pw_buf *out, struct pw_err *err);

#endif
