using System.Net;
using System.Net.Sockets;
using System.Text;
using Stir.Encrypted.Calls;
using Stir.Encrypted.EndToEnd.Tests.Support;
using Stir.Encrypted.Sip;
using Stir.Encrypted.Tests.Support;

namespace Stir.Encrypted.EndToEnd.Tests;

/// <summary>
/// The gateway path with an independent SIP stack and an independent verifier: SIPp sends an INVITE with a SHAKEN
/// Identity header to the originating gateway (a UDP UAS on loopback), which lifts it and stores it in the CPS of
/// `stir serve`; the terminating gateway retrieves and verifies it for the PSTN call and re-inserts it; secsipidx
/// verifies the re-inserted header, fetching x5u from the served repository and checking the chain to the STI-CA.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class SippGatewayTests(ServeProcess serve) : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("stir-e2e-sipp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [Trait("Claim", "TM-47")]
    public async Task SippInvite_LiftedStoredRetrievedAndReinserted_VerifiesWithSecsipidx()
    {
        var sipp = Peers.Require("sipp", "sip-tester");
        var secsipidx = Peers.Require("secsipidx", "secsipidx");
        var alice = serve.NextCaller();
        var x5u = serve.X5uOf("alice-carrier");
        var signed = serve.Sign(serve.AliceCarrier, "alice-carrier", b => b.WithOrig(alice).AddDest(ServeProcess.Bob).WithShaken("A", Guid.NewGuid()));

        // Originating gateway: the INVITE as SIPp put it on the wire.
        var received = SipInvite.Parse(await RunSippAsync(sipp, [alice.ToE164(), ServeProcess.Bob.ToE164(), signed.Token, x5u]));
        var stored = await new GatewayStore(serve.Placer(null), new GatewayStoreOptions { ParseOptions = ServeProcess.LoopbackParse }).StoreAsync(received, CancellationToken.None);

        // Terminating gateway: the call arrives from the PSTN without Identity.
        var pstn = SipInvite.Parse(Invites.Text(alice, ServeProcess.Bob, ServeProcess.Bob));
        var delivery = await new GatewayDeliver(serve.Verifier(serve.BobCarrierKey, ServeProcess.Bob), ServeProcess.LoopbackParse).DeliverAsync(pstn, CancellationToken.None);

        Assert.True(stored.Stored, stored.Detail);
        Assert.Equal([signed.Token], stored.Lifted.Passports.Select(p => p.Token));
        Assert.Equal(Verstat.TnValidationPassed, delivery.Verdict!.Verstat);
        var value = Assert.Single(SipInvite.Parse(delivery.Invite.ToBytes()).IdentityHeaders).Value;
        var ca = Path.Combine(serve.Pki, "root.pem");
        var inter = Path.Combine(serve.Pki, "intermediate.pem");
        var ok = await Peers.RunAsync(secsipidx, ["-check", "-identity", value, "-p", x5u, "-cert-verify", "4", "-ca-file", ca, "-ca-inter", inter, "-expire", "300"], timeout: Bound);
        Assert.True(ok.ExitCode == 0 && ok.Stdout.Contains("ok", StringComparison.Ordinal), ok.ToString());

        // secsipidx really checks: a flipped signature character fails.
        var i = value.IndexOf(';', StringComparison.Ordinal) - 5;
        var tampered = string.Concat(value.AsSpan(0, i), value[i] == 'A' ? "B" : "A", value.AsSpan(i + 1));
        var bad = await Peers.RunAsync(secsipidx, ["-check", "-identity", tampered, "-p", x5u, "-cert-verify", "4", "-ca-file", ca, "-ca-inter", inter, "-expire", "300"], timeout: Bound);
        Assert.NotEqual(0, bad.ExitCode);
    }

    /// <summary>One SIPp call (tests/interop/sipp/uac-identity.xml) to a UAS on loopback that declines it; returns the INVITE as received.</summary>
    private async Task<byte[]> RunSippAsync(string sipp, string[] fields)
    {
        var csv = Path.Combine(_dir, "calls.csv");
        await File.WriteAllTextAsync(csv, "SEQUENTIAL\n" + string.Join(';', fields) + ";\n");
        using var uas = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)uas.Client.LocalEndPoint!).Port;
        using var cts = new CancellationTokenSource(Bound);
        var uasTask = AnswerOneCallAsync(uas, cts.Token);
        var errors = Path.Combine(_dir, "sipp-errors.log");
        var run = await Peers.RunAsync(
            sipp,
            [
                $"127.0.0.1:{port}", "-sf", Path.Combine(Peers.InteropDirectory, "sipp", "uac-identity.xml"), "-inf", csv,
                "-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error", "-trace_err", "-error_file", errors,
            ],
            workingDirectory: _dir,
            timeout: Bound);
        Assert.True(run.ExitCode == 0, $"{run}\nerrors:\n{(File.Exists(errors) ? await File.ReadAllTextAsync(errors) : "(none)")}");
        return await uasTask;
    }

    // 100 Trying then 603 Decline for each INVITE (re)transmission, until the ACK.
    private static async Task<byte[]> AnswerOneCallAsync(UdpClient socket, CancellationToken cancellationToken)
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

                    await socket.SendAsync(Encoding.UTF8.GetBytes(response.Append("Content-Length: 0\r\n\r\n").ToString()), datagram.RemoteEndPoint, cancellationToken);
                }
            }
            else if (text.StartsWith("ACK ", StringComparison.Ordinal) && invite is not null)
            {
                return invite;
            }
        }
    }
}
