/* Publishing a mirror run into the local repository (repo.h). */
#include "mirror_int.h"

int pw_mirror_publish(struct pw_mirror *m, const unsigned char *sel, char *const *files,
                      struct pw_err *err)
{
    (void)m;
    (void)sel;
    (void)files;
    return pw_err_set(err, PW_E_UNSUPPORTED, "publishing into a repository is not ready yet");
}
