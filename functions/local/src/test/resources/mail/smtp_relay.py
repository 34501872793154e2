"""Test SMTP relay for SmtpTransportTest (aiosmtpd, from the test venv).

Offers STARTTLS with a self-signed certificate made at start-up (unless --no-tls), records every
accepted message as a JSON file in --out (whether the session was TLS, the envelope, the exact
DATA bytes), and answers scripted replies by recipient local part:
  tempfail-once-*  451 to the first RCPT TO, 250 afterwards
  tempfail-*       451 always
  reject-*         550 always
  drop-after-*     250, then the relay closes the connection (and writes dropped-<session>.mark)
Each record names its connection ("session"), so tests can tell kept connections from new ones,
and the user the session authenticated as ("auth_user", null without AUTH). With --auth USER:PASS
the relay requires AUTH (PLAIN or LOGIN, over TLS only) with exactly those credentials.
Prints READY when listening.
"""
import argparse, asyncio, base64, datetime, ipaddress, json, os, ssl, sys, tempfile, threading, time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(folder):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


class Handler:
    def __init__(self, out):
        self.out, self.seen, self.count, self.lock = out, set(), 0, threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("tempfail-once"):
            with self.lock:
                first = address not in self.seen
                self.seen.add(address)
            if first:
                return "451 4.3.0 try again later"
        elif local.startswith("tempfail"):
            return "451 4.3.0 try again later"
        elif local.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        record = {"tls": session.ssl is not None, "session": "%x" % id(session), "mail_from": envelope.mail_from,
                  "auth_user": session.auth_data if session.authenticated else None,
                  "rcpt_tos": envelope.rcpt_tos,
                  "data": base64.b64encode(envelope.original_content).decode("ascii")}
        tmp = os.path.join(self.out, ".%d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.replace(tmp, os.path.join(self.out, "%06d.json" % n))
        if any(r.split("@")[0].startswith("drop-after") for r in envelope.rcpt_tos):
            # after the reply below is written: close this connection as a relay's idle timeout would
            asyncio.get_event_loop().call_soon(self.drop, server, record["session"])
        return "250 2.0.0 Ok: queued as %d" % n

    def drop(self, server, name):
        server.transport.close()
        open(os.path.join(self.out, "dropped-%s.mark" % name), "w").close()


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)
    return check


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--no-tls", action="store_true")
    a.add_argument("--size", type=int, default=33554432)
    a.add_argument("--auth", help="USER:PASS the relay requires")
    args = a.parse_args()
    kwargs = {"data_size_limit": args.size}
    if args.auth:
        user, password = args.auth.split(":", 1)
        kwargs.update(authenticator=authenticator(user, password), auth_required=True, auth_require_tls=True)
    if not args.no_tls:
        cert, key = self_signed(tempfile.mkdtemp())
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        kwargs["tls_context"] = context
    controller = Controller(Handler(args.out), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()  # runs until the test closes our stdin (or kills us)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
