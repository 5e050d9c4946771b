"""Small but real SCORM packages, built in memory, and hostile zips that must be refused.

The SCOs find the run-time the way real content does (ADL's findAPI, walking parents),
call it, and show on the page what the run-time gave them back, so a browser test can
see a resumed location.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterable

from django.core.files.uploadedfile import SimpleUploadedFile

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{ident}" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="item1" identifierref="res1"{parameters}>
        <title>Lesson</title>
        {mastery}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="{href}">
      <file href="{href}"/>
    </resource>
  </resources>
</manifest>
"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.{ident}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="item1" identifierref="res1"{parameters}>
        <title>Lesson</title>
        <imsss:sequencing><imsss:objectives>
          <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
            <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
          </imsss:primaryObjective>
        </imsss:objectives></imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources xml:base="{base}">
    <resource identifier="res1" type="webcontent" adlcp:scormType="sco" href="{href}">
      <file href="{href}"/>
    </resource>
  </resources>
</manifest>
"""

_FIND_API = """
function findAPI(win, name) {
  var tries = 0;
  while (win[name] == null && win.parent != null && win.parent != win) {
    tries++;
    if (tries > 7) { return null; }
    win = win.parent;
  }
  return win[name];
}
function getAPI(name) {
  var api = null;
  try { api = findAPI(window, name); } catch (e) { api = null; }
  if (api == null && window.opener != null) {
    try { api = findAPI(window.opener, name); } catch (e) { api = null; }
  }
  return api;
}
"""

SCO_12 = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="css/style.css">
</head>
<body>
<h1>{title}</h1>
<p>Saved location: <output id="saved">(none)</output></p>
<p>Entry: <output id="entry"></output></p>
<p>Learner: <output id="learner"></output></p>
<button id="finish" type="button">Finish the lesson</button>
<p id="result" role="status"></p>
<script>
"""
    + _FIND_API
    + """
var api = getAPI("API");
if (api == null) {
  document.getElementById("result").textContent = "No SCORM 1.2 API found";
} else {
  api.LMSInitialize("");
  document.getElementById("saved").textContent =
    api.LMSGetValue("cmi.core.lesson_location") || "(none)";
  document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry");
  document.getElementById("learner").textContent = api.LMSGetValue("cmi.core.student_name");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") {
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  }
  api.LMSSetValue("cmi.core.lesson_location", "intro");
  api.LMSCommit("");
  document.getElementById("result").textContent = "Started";
}
document.getElementById("finish").addEventListener("click", function () {
  api.LMSSetValue("cmi.core.lesson_location", "{location}");
  api.LMSSetValue("cmi.core.score.min", "0");
  api.LMSSetValue("cmi.core.score.max", "100");
  api.LMSSetValue("cmi.core.score.raw", "{raw}");
  api.LMSSetValue("cmi.core.lesson_status", "{status}");
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSSetValue("cmi.suspend_data", "seen=1,2,3");
  var committed = api.LMSCommit("");
  var finished = api.LMSFinish("");
  document.getElementById("result").textContent =
    "Finished: commit " + committed + ", finish " + finished;
});
</script>
</body>
</html>
"""
)

SCO_2004 = (
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<p>Saved location: <output id="saved">(none)</output></p>
<p>Entry: <output id="entry"></output></p>
<button id="finish" type="button">Finish the lesson</button>
<p id="result" role="status"></p>
<script>
"""
    + _FIND_API
    + """
var api = getAPI("API_1484_11");
if (api == null) {
  document.getElementById("result").textContent = "No SCORM 2004 API found";
} else {
  api.Initialize("");
  document.getElementById("saved").textContent = api.GetValue("cmi.location") || "(none)";
  document.getElementById("entry").textContent = api.GetValue("cmi.entry");
  api.SetValue("cmi.completion_status", "incomplete");
  api.SetValue("cmi.progress_measure", "0.5");
  api.Commit("");
  document.getElementById("result").textContent = "Started";
}
document.getElementById("finish").addEventListener("click", function () {
  api.SetValue("cmi.location", "{location}");
  api.SetValue("cmi.score.scaled", "{scaled}");
  api.SetValue("cmi.progress_measure", "1");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.success_status", "{success}");
  api.SetValue("cmi.exit", "suspend");
  var committed = api.Commit("");
  var finished = api.Terminate("");
  document.getElementById("result").textContent =
    "Finished: commit " + committed + ", terminate " + finished;
});
</script>
</body>
</html>
"""
)

# Reports what a package's own script can reach, in its own page, for a browser test to read.
PROBE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Probe</title></head>
<body>
<h1>Probe</h1>
<dl>
<dt>api</dt><dd id="api"></dd>
<dt>cookie</dt><dd id="cookie"></dd>
<dt>parent</dt><dd id="parent"></dd>
<dt>storage</dt><dd id="storage"></dd>
<dt>fetch</dt><dd id="fetch">pending</dd>
</dl>
<script>
function show(id, value) { document.getElementById(id).textContent = value; }
show("api", typeof window.API === "object" && window.API !== null ? "present" : "absent");
try { show("cookie", "read: [" + document.cookie + "]"); }
catch (e) { show("cookie", "blocked: " + e.name); }
try { show("parent", "read: " + window.parent.document.title); }
catch (e) { show("parent", "blocked: " + e.name); }
try { window.localStorage.setItem("k", "v"); show("storage", "read"); }
catch (e) { show("storage", "blocked: " + e.name); }
fetch("/learn/", {credentials: "include"})
  .then(function (r) { show("fetch", "read: " + r.status); })
  .catch(function (e) { show("fetch", "blocked: " + e.name); });
</script>
</body>
</html>
"""


def build_zip(files: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def scorm12_files(
    *,
    title: str = "Phone etiquette",
    location: str = "page-3",
    raw: int = 85,
    status: str = "passed",
    href: str = "index.html",
    parameters: str = "",
    mastery: int | None = 80,
) -> dict[str, bytes | str]:
    mastery_xml = f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore>" if mastery else ""
    params = f' parameters="{parameters}"' if parameters else ""
    manifest = MANIFEST_12.format(
        ident="sco12", title=title, href=href, parameters=params, mastery=mastery_xml
    )
    sco = SCO_12.replace("{title}", title).replace("{location}", location)
    sco = sco.replace("{raw}", str(raw)).replace("{status}", status)
    return {
        "imsmanifest.xml": manifest,
        href: sco,
        "css/style.css": "body { font-family: sans-serif; margin: 2rem; }\n",
    }


def scorm12_zip(**kwargs: object) -> bytes:
    return build_zip(scorm12_files(**kwargs))  # type: ignore[arg-type]


def scorm2004_files(
    *,
    title: str = "Data protection basics",
    location: str = "chapter-2",
    scaled: str = "0.9",
    success: str = "passed",
    base: str = "content/",
    href: str = "start.html",
) -> dict[str, bytes | str]:
    manifest = MANIFEST_2004.format(
        ident="sco2004", title=title, href=href, base=base, parameters=""
    )
    sco = SCO_2004.replace("{title}", title).replace("{location}", location)
    sco = sco.replace("{scaled}", scaled).replace("{success}", success)
    return {"imsmanifest.xml": manifest, f"{base}{href}": sco}


def scorm2004_zip(**kwargs: object) -> bytes:
    return build_zip(scorm2004_files(**kwargs))  # type: ignore[arg-type]


def probe_zip() -> bytes:
    files = scorm12_files(title="Probe", href="probe.html")
    files["probe.html"] = PROBE
    return build_zip(files)


def upload(data: bytes, name: str = "course.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


# --- Hostile zips -------------------------------------------------------------------------


def with_extra(entries: Iterable[tuple[str, bytes | str]]) -> bytes:
    files = scorm12_files()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def traversal_zip() -> bytes:
    return with_extra([("../../evil.html", "<script>alert(1)</script>")])


def absolute_zip() -> bytes:
    return with_extra([("/etc/cron.d/evil", "* * * * * root true")])


def backslash_zip() -> bytes:
    return with_extra([("..\\..\\evil.html", "x")])


def drive_zip() -> bytes:
    return with_extra([("C:/Windows/evil.dll", "x")])


def symlink_zip() -> bytes:
    files = scorm12_files()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        link = zipfile.ZipInfo("secrets")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buffer.getvalue()


def bomb_zip(size: int = 4 * 1024 * 1024) -> bytes:
    files = scorm12_files()
    files["media/padding.bin"] = b"\0" * size
    return build_zip(files)


def no_manifest_zip() -> bytes:
    files = scorm12_files()
    del files["imsmanifest.xml"]
    return build_zip(files)


def bad_xml_zip() -> bytes:
    files = scorm12_files()
    files["imsmanifest.xml"] = "<manifest><organizations><oops></manifest>"
    return build_zip(files)


def entity_bomb_zip() -> bytes:
    files = scorm12_files()
    files["imsmanifest.xml"] = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<manifest>&lol2;</manifest>"
    )
    return build_zip(files)


def missing_launch_zip() -> bytes:
    files = scorm12_files()
    del files["index.html"]
    return build_zip(files)


def no_version_zip() -> bytes:
    files = scorm12_files()
    manifest = str(files["imsmanifest.xml"])
    manifest = manifest.replace("<schemaversion>1.2</schemaversion>", "")
    manifest = manifest.replace('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"', "")
    manifest = manifest.replace("http://www.adlnet.org/xsd/adlcp_rootv1p2", "urn:example")
    files["imsmanifest.xml"] = manifest
    return build_zip(files)
