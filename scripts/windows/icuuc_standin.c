/* Test set-up only, never shipped: a stand-in for Windows 10's system icuuc.dll, which Wine 8
 * lacks. Qt6Core imports ICU's converter functions (ucnv_*) as its back-end for named legacy
 * codecs (QStringConverter by name). Here no converter ever opens, so Qt falls back to its own
 * UTF-8/UTF-16/Latin-1 codecs, which is all the application uses. Every other function is only
 * reached with a converter that opened, so each one just returns 0 (x64 has one calling
 * convention, so a function without parameters stands in for any signature).
 * scripts/windows_check.py compiles it with mingw-w64 into the Wine prefix's system32 and checks
 * that it covers every icuuc.dll import of the Windows wheels, and that it is not in the bundle. */
#include <stddef.h>

#define U_FILE_ACCESS_ERROR 4

__declspec(dllexport) void *ucnv_open(const char *name, int *status) {
  (void)name;
  if (status != NULL && *status <= 0) *status = U_FILE_ACCESS_ERROR;
  return NULL;
}

#define STANDIN(name) __declspec(dllexport) size_t name(void) { return 0; }
STANDIN(ucnv_close)
STANDIN(UCNV_FROM_U_CALLBACK_SUBSTITUTE)
STANDIN(UCNV_TO_U_CALLBACK_SUBSTITUTE)
STANDIN(ucnv_reset)
STANDIN(ucnv_getMaxCharSize)
STANDIN(ucnv_getName)
STANDIN(ucnv_getToUCallBack)
STANDIN(ucnv_getFromUCallBack)
STANDIN(ucnv_setToUCallBack)
STANDIN(ucnv_setFromUCallBack)
STANDIN(ucnv_cbToUWriteUChars)
STANDIN(ucnv_toUnicode)
STANDIN(ucnv_cbFromUWriteUChars)
STANDIN(ucnv_toUCountPending)
STANDIN(ucnv_fromUCountPending)
STANDIN(ucnv_getStandardName)
STANDIN(ucnv_getAvailableName)
STANDIN(ucnv_countAvailable) /* 0 converters available */
STANDIN(ucnv_fromUnicode)
