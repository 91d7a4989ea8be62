using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Telephony;
using Stir.Encrypted.Tests.Formats;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.Tests.Interop;

/// <summary>
/// INVITEs that SIPp (an independent SIP stack) puts on the wire, carrying PASSporTs we signed in Identity
/// header fields (scenarios under tests/interop/sipp/, PASSporTs injected through -inf CSV fields). The test
/// is the UAS on a loopback UDP socket: it answers 100 and 603, takes SIPp's ACK, lifts the PASSporTs from
/// the INVITE exactly as received, verifies them, re-inserts them into a new INVITE, and has secsipidx
/// verify the re-inserted Identity header values.
/// </summary>
public sealed class SipSippInteropTests : IDisposable
{
    private const string X5u = "https://cert.example.net/sp.pem";

    private static readonly TelephoneNumber Orig = TelephoneNumber.ParseCanonical("12025550123");

    private static readonly TelephoneNumber Dest = TelephoneNumber.ParseCanonical("12025550199");

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("stir-sipp-").FullName;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task SippInvite_WithOurShakenPassport_LiftsVerifiesAndSecsipidxAcceptsTheReinsertedHeader()
    {
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        var shaken = Sign(b => b.WithShaken("A", Guid.Parse("0b6e6a3b-4a0e-4e62-9c55-9a1f6c5b3a10")));

        var exchange = await RunSippAsync("uac-identity.xml", ["+12025550123", "+12025550199", shaken.Token, X5u]);

        // Lifted from the bytes SIPp sent, not from anything we wrote ourselves.
        var invite = SipInvite.Parse(exchange.Invite);
        Assert.Equal($"{shaken.Token};info=<{X5u}>;alg=ES256;ppt=\"shaken\"", Assert.Single(invite.IdentityHeaders).Value); // the scenario sends the quoted form of the RFC examples
        var lifted = SipGateway.Lift(invite);
        Assert.Empty(lifted.Problems);
        Assert.Equal(shaken.Token, Assert.Single(lifted.Passports).Token);
        Assert.Equal(Orig, lifted.Orig.Number);
        Assert.Equal(Dest, lifted.Dest.Number);
        Assert.True(lifted.NumberCheck.IsMatch, lifted.NumberCheck.ToString());
        using (var resolver = new StaticKeyCredentialResolver(_key, [Orig], "test signer"))
        {
            var verdict = await new PassportVerifier(resolver).VerifyAsync(invite.IdentityHeaders[0].Value, lifted.Dest.Number, CancellationToken.None);
            Assert.True(verdict.IsValid, verdict.ToString());
        }

        // Re-inserted into a new INVITE (the next gateway's), the header verifies with secsipidx.
        var inserted = SipGateway.Insert(SipInvite.Parse(SipTestKit.Invite()), lifted.Passports);
        var value = Assert.Single(SipInvite.Parse(inserted.Invite.ToBytes()).IdentityHeaders).Value;
        var publicKey = Path.Combine(_dir, "sp.pub");
        await File.WriteAllTextAsync(publicKey, _key.ExportSubjectPublicKeyInfoPem());
        var ok = await Peers.RunAsync(secsipidx, ["-check", "-identity", value, "-p", publicKey, "-expire", "300"], timeout: Bound);
        Assert.True(ok.ExitCode == 0 && ok.Stdout.Contains("ok", StringComparison.Ordinal), ok.ToString());

        // secsipidx really checks: a flipped signature character fails.
        var i = value.IndexOf(';', StringComparison.Ordinal) - 5;
        var tampered = string.Concat(value.AsSpan(0, i), value[i] == 'A' ? "B" : "A", value.AsSpan(i + 1));
        var bad = await Peers.RunAsync(secsipidx, ["-check", "-identity", tampered, "-p", publicKey, "-expire", "300"], timeout: Bound);
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task SippInvite_WithBaselineAndShakenIdentityHeaders_LiftsBoth()
    {
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        var baseline = Sign(b => b);
        var shaken = Sign(b => b.WithShaken("B", Guid.Parse("123e4567-e89b-12d3-a456-426655440000")));

        var exchange = await RunSippAsync("uac-two-identities.xml", ["+12025550123", "+12025550199", baseline.Token, X5u, shaken.Token]);

        var invite = SipInvite.Parse(exchange.Invite);
        var lifted = SipGateway.Lift(invite);
        Assert.Empty(lifted.Problems);
        Assert.Equal([baseline.Token, shaken.Token], lifted.Passports.Select(p => p.Token));
        Assert.Equal([1, 2], lifted.Sources);
        using (var resolver = new StaticKeyCredentialResolver(_key, [Orig], "test signer"))
        {
            var verdict = await new PassportVerifier(resolver).VerifyCallAsync(invite.IdentityHeaders.Select(f => f.Value), lifted.Target.Number, CancellationToken.None);
            Assert.True(verdict.IsValid, verdict.ToString());
        }

        var inserted = SipGateway.Insert(SipInvite.Parse(SipTestKit.Invite()), lifted.Passports);
        var values = SipInvite.Parse(inserted.Invite.ToBytes()).IdentityHeaders.Select(f => f.Value).ToArray();
        Assert.Equal(2, values.Length);
        var publicKey = Path.Combine(_dir, "sp.pub");
        await File.WriteAllTextAsync(publicKey, _key.ExportSubjectPublicKeyInfoPem());
        foreach (var value in values)
        {
            var ok = await Peers.RunAsync(secsipidx, ["-check", "-identity", value, "-p", publicKey, "-expire", "300"], timeout: Bound);
            Assert.True(ok.ExitCode == 0 && ok.Stdout.Contains("ok", StringComparison.Ordinal), ok.ToString());
        }
    }

    // Signed now (secsipidx judges iat by the real clock).
    private Passport Sign(Func<PassportBuilder, PassportBuilder> shape)
    {
        using var key = PassportSigningKey.FromECDsa(_key);
        return shape(new PassportBuilder().WithX5u(X5u).WithOrig(Orig).AddDest(Dest)).Sign(new PassportSigner(key));
    }

    /// <summary>Runs one SIPp call against a minimal UAS on loopback; returns the INVITE and ACK as received.</summary>
    private async Task<(byte[] Invite, byte[] Ack)> RunSippAsync(string scenario, string[] fields)
    {
        var sipp = Peers.Require("sipp", "sip-tester");
        var csv = Path.Combine(_dir, "calls.csv");
        await File.WriteAllTextAsync(csv, "SEQUENTIAL\n" + string.Join(';', fields) + ";\n");
        using var uas = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)uas.Client.LocalEndPoint!).Port;
        using var cts = new CancellationTokenSource(Bound);
        var uasTask = AnswerOneCallAsync(uas, cts.Token);

        var run = await Peers.RunAsync(
            sipp,
            [
                $"127.0.0.1:{port}", "-sf", Path.Combine(Peers.InteropDirectory, "sipp", scenario), "-inf", csv,
                "-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error",
                "-trace_err", "-error_file", Path.Combine(_dir, "sipp-errors.log"),
            ],
            workingDirectory: _dir,
            timeout: Bound);
        var errors = Path.Combine(_dir, "sipp-errors.log");
        Assert.True(run.ExitCode == 0, $"{run}\nerrors:\n{(File.Exists(errors) ? await File.ReadAllTextAsync(errors) : "(none)")}");
        var exchange = await uasTask;

        // The ACK belongs to the INVITE transaction (RFC 3261 §17.1.1.3): same Call-ID, branch and CSeq number.
        var ack = Encoding.UTF8.GetString(exchange.Ack);
        var invite = SipInvite.Parse(exchange.Invite);
        Assert.StartsWith("ACK sip:+12025550199@127.0.0.1:", ack, StringComparison.Ordinal);
        Assert.Contains($"Call-ID: {invite.GetHeaderFields("Call-ID")[0].Value}\r\n", ack, StringComparison.Ordinal);
        Assert.Contains($"Via: {invite.GetHeaderFields("Via")[0].Value}\r\n", ack, StringComparison.Ordinal);
        Assert.Contains("CSeq: 1 ACK\r\n", ack, StringComparison.Ordinal);
        Assert.Contains(";tag=stir-uas\r\n", ack, StringComparison.Ordinal);
        return exchange;
    }

    // A UAS that declines: 100 Trying, then 603 Decline (to-tag added), resent for each INVITE retransmission,
    // until the ACK arrives.
    private static async Task<(byte[] Invite, byte[] Ack)> AnswerOneCallAsync(UdpClient socket, CancellationToken cancellationToken)
    {
        byte[]? invite = null;
        while (true)
        {
            var datagram = await socket.ReceiveAsync(cancellationToken);
            var text = Encoding.UTF8.GetString(datagram.Buffer);
            if (text.StartsWith("INVITE ", StringComparison.Ordinal))
            {
                invite ??= datagram.Buffer;
                var request = SipInvite.Parse(datagram.Buffer);
                foreach (var status in new[] { "100 Trying", "603 Decline" })
                {
                    var response = new StringBuilder($"SIP/2.0 {status}\r\n");
                    foreach (var field in request.HeaderFields.Where(f => f.Name is "Via" or "From" or "To" or "Call-ID" or "CSeq"))
                    {
                        var tag = field.Name == "To" && status.StartsWith('6') ? ";tag=stir-uas" : string.Empty;
                        response.Append(field.Name).Append(": ").Append(field.Value).Append(tag).Append("\r\n");
                    }

                    var bytes = Encoding.UTF8.GetBytes(response.Append("Content-Length: 0\r\n\r\n").ToString());
                    await socket.SendAsync(bytes, datagram.RemoteEndPoint, cancellationToken);
                }
            }
            else if (text.StartsWith("ACK ", StringComparison.Ordinal) && invite is not null)
            {
                return (invite, datagram.Buffer);
            }
        }
    }
}
