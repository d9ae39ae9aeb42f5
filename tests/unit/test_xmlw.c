/* xmlw: escaping, empty elements, indentation like createrepo_c, Latin-1 input, and control
 * characters XML cannot carry. */
#include <string.h>

#include "core/xmlw.h"
#include "tap.h"

static void escapes(void)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_xml_escape(&b, "a<b>&\"c\"\n", 0);
    TAP_STR_EQ(b.buf, "a&lt;b&gt;&amp;\"c\"\n", "text escapes <, > and &");
    pw_buf_reset(&b);
    pw_xml_escape(&b, "a\"b\n\tc", 1);
    TAP_STR_EQ(b.buf, "a&quot;b&#10;&#9;c", "attributes escape quotes and whitespace");
    pw_buf_reset(&b);
    pw_xml_escape(&b, "x\x01y\x1bz", 0);
    TAP_STR_EQ(b.buf, "xyz", "control characters are dropped");
    pw_buf_reset(&b);
    pw_xml_escape(&b, "caf\xe9", 0);
    TAP_STR_EQ(b.buf, "caf\xc3\xa9", "invalid UTF-8 is read as Latin-1");
    pw_buf_reset(&b);
    pw_xml_escape(&b, "caf\xc3\xa9 \xe2\x80\x93", 0);
    TAP_STR_EQ(b.buf, "caf\xc3\xa9 \xe2\x80\x93", "valid UTF-8 passes through");
    pw_buf_release(&b);
}

static void document(void)
{
    struct pw_buf b = PW_BUF_INIT;
    struct pw_xmlw w;
    pw_xmlw_init(&w, &b, 0);
    pw_xmlw_open(&w, "package");
    pw_xmlw_attr(&w, "type", "rpm");
    pw_xmlw_leaf(&w, "name", "pw");
    pw_xmlw_leaf(&w, "url", NULL);
    pw_xmlw_open(&w, "version");
    pw_xmlw_attr(&w, "epoch", "0");
    pw_xmlw_attr(&w, "rel", NULL);
    pw_xmlw_attr_int(&w, "n", -42);
    pw_xmlw_close(&w);
    pw_xmlw_open(&w, "format");
    pw_xmlw_open(&w, "file");
    pw_xmlw_attr(&w, "type", "dir");
    pw_xmlw_text(&w, "/etc/a&b");
    pw_xmlw_close(&w);
    pw_xmlw_close(&w);
    pw_xmlw_close(&w);
    TAP_STR_EQ(b.buf,
               "<package type=\"rpm\">\n"
               "  <name>pw</name>\n"
               "  <url></url>\n"
               "  <version epoch=\"0\" n=\"-42\"/>\n"
               "  <format>\n"
               "    <file type=\"dir\">/etc/a&amp;b</file>\n"
               "  </format>\n"
               "</package>\n",
               "nested elements indent two spaces, empty ones self-close");
    pw_buf_reset(&b);
    pw_xmlw_declaration(&w);
    TAP_STR_EQ(b.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "declaration");
    pw_buf_release(&b);
}

int main(void)
{
    escapes();
    document();
    return tap_done();
}
