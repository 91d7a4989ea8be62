using System.Globalization;

namespace Stir.Encrypted.Benchmarks.Report;

/// <summary>
/// The rates `openssl speed -mr ecdsap256 ecdhx25519` printed: P-256 ECDSA signs and verifies per second and
/// X25519 derivations per second (one scalar multiplication each). With <c>-multi N</c> they are the sums over N
/// processes.
/// </summary>
internal sealed record OpensslSpeed(double SignPerSecond, double VerifyPerSecond, double X25519PerSecond)
{
    /// <summary>
    /// Reads the machine-readable lines: <c>+F4:index:256:sign/s:verify/s</c> (ECDSA P-256) and
    /// <c>+F5:index:253:op/s:s/op</c> (ECDH X25519). Missing lines are an error: a floor must not be guessed.
    /// </summary>
    public static OpensslSpeed Parse(string text, string source)
    {
        double? sign = null, verify = null, x25519 = null;
        foreach (var line in text.Split('\n'))
        {
            var f = line.Trim().Split(':');
            if (f.Length >= 5 && f[0] == "+F4" && f[2] == "256")
            {
                sign = Number(f[3]);
                verify = Number(f[4]);
            }
            else if (f.Length >= 5 && f[0] == "+F5" && f[2] == "253")
            {
                x25519 = Number(f[3]);
            }
        }

        return sign is > 0 && verify is > 0 && x25519 is > 0
            ? new OpensslSpeed(sign.Value, verify.Value, x25519.Value)
            : throw new FormatException($"{source}: no +F4 (ECDSA P-256) and +F5 (X25519) lines with positive rates; is this `openssl speed -mr ecdsap256 ecdhx25519` output?");
    }

    /// <summary>Operations per second of a flow made only of these operations, done one after another.</summary>
    public double Floor(int signs, int verifies, int x25519) =>
        1.0 / ((signs / SignPerSecond) + (verifies / VerifyPerSecond) + (x25519 / X25519PerSecond));

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
