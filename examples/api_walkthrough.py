#!/usr/bin/env python3
"""Take one case from opening to a verified referral packet, using only the REST API.

    python3 examples/api_walkthrough.py http://127.0.0.1:8000 \
        --hr hr:vetting-demo-2026 --reviewer reviewer:vetting-demo-2026 --out /tmp/packets

Steps: sign in both users (tokens), open a case, answer every checklist item (two red flags
observed, one adverse due-diligence finding), upload evidence for an observed flag, submit;
the reviewer starts the review and refers the case; a referral packet is requested, followed
until it is done, downloaded, and checked against the job's SHA-256 and the packet's own
manifest. Needs nothing but Python 3.9+; against `make run`, use the demo users it prints.

Exit code 0 when every step worked, 1 with the server's message when one did not.
"""

import argparse
import hashlib
import io
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

OBSERVED = {
    "RF-2023-01": "Camera 'broken' in all three video interviews.",
    "RF-2023-05": "Laptop to be shipped to a parcel forwarder, address changed twice.",
}
ADVERSE = {"DD-2023-05": "The routing number belongs to a money service business."}
EVIDENCE_FOR = "RF-2023-01"


class StepFailed(Exception):
    pass


class Api:
    """A tiny JSON client: one token, readable errors."""

    def __init__(self, base: str, token: str = ""):
        if not base.startswith(("http://", "https://")):
            raise StepFailed(f"the server address must start with http:// or https://: {base!r}")
        self.base = base.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body=None, *, raw=None, content_type=None):
        url = path if path.startswith("http") else self.base + path
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type or "application/json"
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        # Only http(s): the base URL is checked above and the API returns absolute http(s) URLs.
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            raise StepFailed(f"{method} {url} → {error.code}: {error.read().decode()}") from None
        except urllib.error.URLError as error:
            raise StepFailed(f"{method} {url}: {error.reason}") from None

    def json(self, method: str, path: str, body=None):
        _status, _headers, content = self.request(method, path, body)
        return json.loads(content) if content else None

    def upload(self, path: str, fields: dict, file_name: str, file_bytes: bytes):
        boundary = uuid.uuid4().hex
        parts = []
        for name, values in fields.items():
            for value in values if isinstance(values, list) else [values]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + file_bytes
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        _status, _headers, content = self.request(
            "POST",
            path,
            raw=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        return json.loads(content)


def sign_in(base: str, credentials: str) -> Api:
    """USER:PASSWORD, or USER:PASSWORD:CODE with the current code of the user's authenticator
    app (a reviewer needs one; `make totp user=<name>` prints it for the demo users)."""
    username, _, rest = credentials.partition(":")
    password, _, code = rest.rpartition(":") if rest.count(":") else (rest, "", "")
    if not password:
        raise StepFailed(f"give credentials as USER:PASSWORD[:CODE], not {credentials!r}")
    body = {"username": username, "password": password}
    if code:
        body["code"] = code
    token = Api(base).json("POST", "/api/v1/auth/token/", body)
    return Api(base, token["token"])


def answer_checklist(hr: Api, reference: str) -> None:
    for answer in hr.json("GET", f"/api/v1/cases/{reference}/answers/"):
        code = answer["item"]["code"]
        if code in OBSERVED:
            value, note = "observed", OBSERVED[code]
        elif code in ADVERSE:
            value, note = "adverse", ADVERSE[code]
        elif answer["item"]["kind"] == "red_flag":
            value, note = "not_observed", ""
        else:
            value, note = "completed", ""
        hr.json(
            "PATCH", f"/api/v1/cases/{reference}/answers/{code}/", {"value": value, "note": note}
        )


def wait_until_done(api: Api, job: dict, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while job["status"] in ("queued", "running"):
        if time.monotonic() > deadline:
            raise StepFailed(f"report job {job['id']} still {job['status']} after {timeout:.0f} s")
        time.sleep(1)
        job = api.json("GET", job["url"])
    if job["status"] != "done":
        raise StepFailed(f"report job {job['id']} {job['status']}: {job['error']}")
    return job


def verify_packet(data: bytes, job: dict, header_hash: str) -> int:
    """Check the download against the job's hash and every file against the manifest."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != job["sha256"] or digest != header_hash:
        raise StepFailed(f"packet hash {digest} does not match the job's {job['sha256']}")
    with zipfile.ZipFile(io.BytesIO(data)) as packet:
        # Everything is in one folder named after the case; the manifest's paths are relative
        # to it.
        folder = packet.namelist()[0].split("/", 1)[0]
        lines = packet.read(f"{folder}/manifest.sha256").decode().splitlines()
        for line in lines:
            expected, name = line.split("  ", 1)
            if hashlib.sha256(packet.read(f"{folder}/{name}")).hexdigest() != expected:
                raise StepFailed(f"{name} in the packet does not match its manifest hash")
    return len(lines)


def walk_through(base: str, hr_credentials: str, reviewer_credentials: str, out: Path, timeout):
    hr = sign_in(base, hr_credentials)
    reviewer = sign_in(base, reviewer_credentials)
    case = hr.json(
        "POST",
        "/api/v1/cases/",
        {
            "legal_name": "Min-jun Lee",
            "role_applied_for": "Remote full-stack developer",
            "claimed_nationality": "JP",
            "claimed_country": "JP",
            "claimed_city": "Osaka",
            "sourcing_channel": "freelance_platform",
            "emails": ["minjun.lee.dev@example.net"],
            "phones": ["+81 6 5555 0199"],
            "ip_addresses": ["175.45.176.12"],  # seen in the video interview's connection log
            "shipping_address": "c/o Parcel Forwarding, 12 Harbour Road, Dandong",
        },
    )
    reference = case["reference"]
    print(f"opened {reference} (catalogue {case['catalog_version']})")
    answer_checklist(hr, reference)
    evidence = hr.upload(
        f"/api/v1/cases/{reference}/evidence/",
        {"description": "Interviewer's notes", "answers": [EVIDENCE_FOR]},
        "interview-notes.txt",
        b"All three interviews: camera off, voice only; answers read from a script.\n",
    )
    print(f"uploaded evidence {evidence['id']} (SHA-256 {evidence['sha256'][:16]}...)")
    case = hr.json("POST", f"/api/v1/cases/{reference}/actions/submit/", {})
    print(f"submitted: risk {case['risk_level']} ({case['risk_score']})")
    reviewer.json("POST", f"/api/v1/cases/{reference}/actions/start_review/", {})
    case = reviewer.json(
        "POST",
        f"/api/v1/cases/{reference}/actions/refer/",
        {"note": "Camera refusal, a parcel-forwarding address and a money service business."},
    )
    print(f"reviewer decision: {case['decision']}")
    job = reviewer.json(
        "POST", f"/api/v1/cases/{reference}/reports/", {"kind": "referral_packet", "language": "en"}
    )
    job = wait_until_done(reviewer, job, timeout)
    _status, headers, data = reviewer.request("GET", job["download_url"])
    checked = verify_packet(data, job, headers.get("X-Content-SHA256", ""))
    out.mkdir(parents=True, exist_ok=True)
    target = out / job["file_name"]
    target.write_bytes(data)
    print(f"downloaded {target} ({len(data)} bytes, {checked} files match the manifest)")
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="where vetting runs, e.g. http://127.0.0.1:8000")
    parser.add_argument("--hr", required=True, metavar="USER:PASSWORD", help="an hr user")
    parser.add_argument(
        "--reviewer",
        required=True,
        metavar="USER:PASSWORD:CODE",
        help="a reviewer (not the hr user), with the current code of their authenticator app",
    )
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the packet")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the job")
    args = parser.parse_args(argv)
    try:
        walk_through(args.base_url, args.hr, args.reviewer, args.out, args.timeout)
    except StepFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
