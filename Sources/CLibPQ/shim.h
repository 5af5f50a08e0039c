// Debian's libpq-dev puts the header under postgresql/; its own includes are relative to it.
#include <postgresql/libpq-fe.h>
