; 回头看工作台 — Windows installer (NSIS 3). Built by installer/build.py:
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVERSION4=0.1.0.0 -DPAYLOAD_DIR=dist\huitoukan
;            -DOUTFILE=dist\huitoukan-0.1.0-setup.exe -DSIZE_KB=... installer\huitoukan.nsi
; -DCHECK_ONLY stores the payload uncompressed (the Linux check only proves the script compiles).
;
; Install modes: per user (default, no administrator rights) into
; %LOCALAPPDATA%\Programs\回头看工作台, or for all users (asks for elevation) into Program Files.
; Command line for IT staff: /S silent, /ALLUSERS or /CURRENTUSER, /D=folder (last, unquoted).
; The user's data (%LOCALAPPDATA%\huitoukan: database, backups, attachments) is never in the
; install folder: upgrades and uninstalls leave it; the uninstaller asks, default no.

Unicode true
ManifestDPIAware true
RequestExecutionLevel user ; elevation only when the user picks "all users"

!ifndef VERSION
  !error "define VERSION (from pyproject.toml), e.g. -DVERSION=0.1.0"
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"
!endif
!ifndef PAYLOAD_DIR
  !error "define PAYLOAD_DIR, the PyInstaller one-folder bundle (dist\huitoukan)"
!endif
!ifndef OUTFILE
  !define OUTFILE "huitoukan-${VERSION}-setup.exe"
!endif
!ifndef SIZE_KB
  !define SIZE_KB 0
!endif

!define PRODUCT "回头看工作台"
!define APP_ID "huitoukan"
!define PUBLISHER "回头看工作台项目组"
!define MAIN_EXE "huitoukan.exe"
!define UNINSTALLER "uninstall.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define DATA_DIR_NAME "huitoukan" ; platformdirs.user_data_path("huitoukan"): %LOCALAPPDATA%\huitoukan

!ifdef CHECK_ONLY
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
ShowInstDetails hide
ShowUninstDetails hide
BrandingText "${PRODUCT} ${VERSION}"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "nsDialogs.nsh"
!include "x64.nsh"

; ---------------------------------------------------------------- file properties of setup .exe
VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=2052 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${PRODUCT} ${VERSION} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "MIT License"

; ---------------------------------------------------------------- pages
!define APP_ICON "${__FILEDIR__}\..\resources\icons\app.ico"
!if /FileExists "${APP_ICON}"
  !define MUI_ICON "${APP_ICON}"
  !define MUI_UNICON "${APP_ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "欢迎安装 ${PRODUCT} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "本程序将在您的电脑上安装 ${PRODUCT} ${VERSION}。$\r$\n$\r$\n默认只为当前用户安装，不需要管理员权限。$\r$\n$\r$\n您的数据（数据库、备份、附件）保存在用户数据文件夹中，升级或卸载程序都不会删除它们。$\r$\n$\r$\n点击“下一步”继续。"
!insertmacro MUI_PAGE_WELCOME
Page custom ModePageCreate ModePageLeave
!define MUI_PAGE_CUSTOMFUNCTION_PRE DirectoryPre
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "现在启动 ${PRODUCT}"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchApp
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

; ---------------------------------------------------------------- state
Var AllUsers        ; 1: all users (HKLM, Program Files), 0: current user (HKCU, LOCALAPPDATA)
Var Upgrade         ; 1: an installed copy was found; its folder and mode are kept
Var UserDefaultDir  ; the per-user default folder (taken while the shell context is "current")
Var RadioUser
Var RadioAll

!macro SetMode ALL
  ; SHCTX (the registry root of the Uninstall key) and shortcut folders follow the mode.
  StrCpy $AllUsers ${ALL}
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
!macroend

!macro IsAdmin RESULT
  UserInfo::GetAccountType
  Pop ${RESULT}
!macroend

Function .onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  SetShellVarContext current
  StrCpy $UserDefaultDir "$LOCALAPPDATA\Programs\${PRODUCT}"
  StrCpy $Upgrade 0
  ; An installed copy decides the mode and the folder: upgrade in place.
  ReadRegStr $0 HKCU "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $Upgrade 1
    !insertmacro SetMode 0
    StrCpy $INSTDIR $0
  ${Else}
    ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
    ${If} $0 != ""
      StrCpy $Upgrade 1
      !insertmacro SetMode 1
      StrCpy $INSTDIR $0
    ${Else}
      ${GetParameters} $1
      ClearErrors
      ${GetOptions} $1 "/ALLUSERS" $2
      ${IfNot} ${Errors}
        !insertmacro SetMode 1
      ${Else}
        !insertmacro SetMode 0
      ${EndIf}
    ${EndIf}
  ${EndIf}
  Call ApplyDefaultDir
  ${If} $AllUsers == 1
    !insertmacro IsAdmin $0
    ${If} $0 != "Admin"
      ${If} ${Silent}
        ; IT staff: run the silent all-users install from an elevated prompt.
        SetErrorLevel 740 ; ERROR_ELEVATION_REQUIRED
        Quit
      ${EndIf}
      ${If} $Upgrade == 1
        MessageBox MB_OKCANCEL|MB_ICONINFORMATION "${PRODUCT} 已为所有用户安装，升级需要管理员权限。" /SD IDCANCEL IDCANCEL cancelled
        ${GetParameters} $1
        ExecShell "runas" "$EXEPATH" "/ALLUSERS $1"
        cancelled:
        Quit
      ${EndIf}
    ${EndIf}
  ${EndIf}
FunctionEnd

Function ApplyDefaultDir
  ; /D=... on the command line and an existing install keep their folder.
  ${If} $Upgrade == 1
    Return
  ${EndIf}
  ${If} $AllUsers == 1
    ${If} $INSTDIR == $UserDefaultDir
    ${OrIf} $INSTDIR == ""
      ${If} ${RunningX64}
        StrCpy $INSTDIR "$PROGRAMFILES64\${PRODUCT}"
      ${Else}
        StrCpy $INSTDIR "$PROGRAMFILES\${PRODUCT}"
      ${EndIf}
    ${EndIf}
  ${Else}
    ${If} $INSTDIR == ""
      StrCpy $INSTDIR $UserDefaultDir
    ${EndIf}
  ${EndIf}
FunctionEnd

Function ModePageCreate
  ${If} $Upgrade == 1
    Abort ; an upgrade keeps the mode of the installed copy
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "选择安装方式" "为谁安装 ${PRODUCT}？"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateRadioButton} 0 10u 100% 14u "仅为我安装（推荐，不需要管理员权限）"
  Pop $RadioUser
  ${NSD_CreateLabel} 12u 26u 100% 20u "安装到 $UserDefaultDir"
  Pop $0
  ${NSD_CreateRadioButton} 0 54u 100% 14u "为这台电脑的所有用户安装（需要管理员权限）"
  Pop $RadioAll
  ${NSD_CreateLabel} 12u 70u 100% 30u "安装到 Program Files。每位用户的数据仍各自保存在自己的用户数据文件夹中。"
  Pop $0
  ${If} $AllUsers == 1
    ${NSD_Check} $RadioAll
  ${Else}
    ${NSD_Check} $RadioUser
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function ModePageLeave
  ${NSD_GetState} $RadioAll $0
  ${If} $0 == ${BST_CHECKED}
    !insertmacro IsAdmin $1
    ${If} $1 != "Admin"
      ; Start this installer again with elevation, in all-users mode, and leave.
      ClearErrors
      ExecShell "runas" "$EXEPATH" "/ALLUSERS"
      ${If} ${Errors}
        MessageBox MB_OK|MB_ICONEXCLAMATION "没有获得管理员权限。可以选择“仅为我安装”，不需要管理员权限。"
        Abort ; stay on this page
      ${EndIf}
      Quit
    ${EndIf}
    StrCpy $INSTDIR ""
    !insertmacro SetMode 1
  ${Else}
    StrCpy $INSTDIR ""
    !insertmacro SetMode 0
  ${EndIf}
  Call ApplyDefaultDir
FunctionEnd

Function DirectoryPre
  ${If} $Upgrade == 1
    Abort ; upgrade in place: the folder is the installed one
  ${EndIf}
FunctionEnd

Function .onVerifyInstDir
  ; The data folder must never become the program folder: an upgrade replaces program files.
  SetShellVarContext current
  ${If} $INSTDIR == "$LOCALAPPDATA\${DATA_DIR_NAME}"
    !insertmacro SetMode $AllUsers
    Abort
  ${EndIf}
  !insertmacro SetMode $AllUsers
FunctionEnd

Function LaunchApp
  ; Through Explorer, so that an elevated (all-users) setup starts the app as the ordinary user.
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\${MAIN_EXE}"'
FunctionEnd

!macro RemoveProgramFiles
  ; Only what the installer put there: never a recursive delete of $INSTDIR itself, which the
  ; user may have pointed at a folder holding other files.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${MAIN_EXE}"
  Delete "$INSTDIR\huitoukan-cli.exe"
  Delete "$INSTDIR\${UNINSTALLER}"
!macroend

Section "${PRODUCT}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; Upgrade in place: the running program locks its files; ask the user to close it.
  ${If} ${FileExists} "$INSTDIR\${MAIN_EXE}"
    retry:
    ClearErrors
    Delete "$INSTDIR\${MAIN_EXE}"
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT} 正在运行，请先关闭它再继续升级。" /SD IDCANCEL IDRETRY retry
      SetErrorLevel 5
      Abort "${PRODUCT} 正在运行，升级已取消。"
    ${EndIf}
    DetailPrint "升级：替换旧版本的程序文件（您的数据不受影响）"
    !insertmacro RemoveProgramFiles
  ${EndIf}

  File /r "${PAYLOAD_DIR}\*"

  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  ; Shortcuts: Start menu and desktop, for this user or for all users (SetShellVarContext).
  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${MAIN_EXE}" "" "$INSTDIR\${MAIN_EXE}" 0
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\${MAIN_EXE}" "" "$INSTDIR\${MAIN_EXE}" 0

  ; Listed in Windows' Apps / Programs and Features (HKCU per user, HKLM for all users).
  ${If} $AllUsers == 1
    StrCpy $0 "/ALLUSERS"
  ${Else}
    StrCpy $0 "/CURRENTUSER"
  ${EndIf}
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${MAIN_EXE},0"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}" $0'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" $0 /S'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" ${SIZE_KB}
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

; ---------------------------------------------------------------- uninstaller
Function un.onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${EndIf}
  ${GetParameters} $1
  ; Started without /ALLUSERS (e.g. uninstall.exe opened by hand): the HKLM key says whether
  ; this folder is the all-users installation.
  ReadRegStr $3 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ClearErrors
  ${GetOptions} $1 "/CURRENTUSER" $2
  ${IfNot} ${Errors}
    StrCpy $3 ""
  ${EndIf}
  ClearErrors
  ${GetOptions} $1 "/ALLUSERS" $2
  ${IfNot} ${Errors}
  ${OrIf} $3 == $INSTDIR
    !insertmacro SetMode 1
    !insertmacro IsAdmin $0
    ${If} $0 != "Admin"
      ${If} ${Silent}
        SetErrorLevel 740
        Quit
      ${EndIf}
      ExecShell "runas" "$INSTDIR\${UNINSTALLER}" "/ALLUSERS"
      Quit
    ${EndIf}
  ${Else}
    !insertmacro SetMode 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  !insertmacro RemoveProgramFiles
  RMDir "$INSTDIR" ; only if empty
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"

  ; The user's data stays unless the user says otherwise; silent uninstalls always keep it.
  SetShellVarContext current
  ${If} ${FileExists} "$LOCALAPPDATA\${DATA_DIR_NAME}\*.*"
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "是否同时删除您的数据？$\r$\n$\r$\n$LOCALAPPDATA\${DATA_DIR_NAME}$\r$\n（数据库、备份、附件）$\r$\n$\r$\n选“否”保留数据，重新安装后可继续使用。" /SD IDNO IDYES remove_data
    Goto keep_data
    remove_data:
      RMDir /r "$LOCALAPPDATA\${DATA_DIR_NAME}"
    keep_data:
  ${EndIf}
SectionEnd
