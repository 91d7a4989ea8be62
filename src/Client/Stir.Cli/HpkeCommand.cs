using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Stir.Encrypted.Hpke;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir hpke keygen|seal|open`: HPKE (RFC 9180, base mode) key pairs and single-shot messages
/// (<c>enc || ct</c>), as callers seal PASSporTs to key holders and callees open them.
/// </summary>
/// <remarks>
/// Every byte argument (--public-key, --private-key, --info, --aad, --in) is read by one rule:
/// <c>hex:&lt;hex digits&gt;</c> is the bytes written out (<c>hex:</c> alone is empty); <c>-</c> is hex
/// text on standard input (--in only); anything else is a file path, whose content is the raw bytes,
/// except that a path ending in <c>.hex</c> holds hex text (whitespace ignored). --out follows the same
/// rule: a file (raw, or hex text for <c>.hex</c>) or <c>-</c> (hex text on standard output), so that
/// binary never goes to a terminal and `stir hpke seal ... | stir hpke open ... --in -` works.
/// </remarks>
internal static class HpkeCommand
{
    private const string ByteRule =
        "hex:<hex digits>, or a file (raw bytes; a .hex file holds hex text)";

    private static Option<string> SuiteOption() => new("--suite")
    {
        Description = "HPKE suite <kem>-<kdf>-<aead>: kem x25519|p256|p521, kdf sha256|sha384|sha512, aead aes128gcm|aes256gcm|chacha20poly1305",
        DefaultValueFactory = _ => HpkeSuite.X25519Sha256ChaCha20Poly1305.Name,
    };

    private static Option<string> InfoOption() => new("--info")
    {
        Description = $"HPKE info, bound to the key schedule: {ByteRule}; default empty",
        DefaultValueFactory = _ => "hex:",
    };

    private static Option<string> AadOption() => new("--aad")
    {
        Description = $"Associated data, authenticated with the message: {ByteRule}; default empty",
        DefaultValueFactory = _ => "hex:",
    };

    public static Command Create()
    {
        var command = new Command(
            "hpke",
            "HPKE (RFC 9180) base mode: make key pairs, seal a message to a public key, open it with the private key. "
            + $"Byte arguments are {ByteRule}; --in/--out also take - for hex text on stdin/stdout.");
        command.Subcommands.Add(CreateKeygen());
        command.Subcommands.Add(CreateSeal());
        command.Subcommands.Add(CreateOpen());
        return command;
    }

    private static Command CreateKeygen()
    {
        var suiteOption = SuiteOption();
        var privateKey = new Option<string>("--private-key") { Description = "File to create for the private key (owner-only permissions; raw, or hex text for .hex)", Required = true };
        var publicKey = new Option<string>("--public-key") { Description = "File to create for the public key (raw, or hex text for .hex)", Required = true };
        var command = new Command("keygen", "Generate a key pair for the suite's KEM; existing files are never overwritten")
        {
            suiteOption, privateKey, publicKey,
        };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            if (!TryParseSuite(output, parse.GetValue(suiteOption)!, out var suite, out var failed))
            {
                return failed;
            }

            var privatePath = parse.GetValue(privateKey)!;
            var publicPath = parse.GetValue(publicKey)!;
            using var key = HpkePrivateKey.Generate(suite.Kem);
            var secret = key.Export();
            try
            {
                WriteNewFile(privatePath, secret, ownerOnly: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"--private-key: cannot create {privatePath}: {e.Message}", "choose a path that does not exist yet in a writable directory");
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
            }

            var pk = key.PublicKey.Export();
            try
            {
                WriteNewFile(publicPath, pk, ownerOnly: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A private key without its public key is no key pair: take it back.
                File.Delete(privatePath);
                return output.Fail(ExitCodes.Failure, $"--public-key: cannot create {publicPath}: {e.Message}", "choose a path that does not exist yet in a writable directory");
            }

            return output.Result(
                ExitCodes.Success,
                new JsonObject
                {
                    ["suite"] = suite.Name,
                    ["kem"] = suite.Kem.ToString(),
                    ["privateKeyFile"] = privatePath,
                    ["publicKeyFile"] = publicPath,
                    ["publicKey"] = ToHex(pk),
                },
                w =>
                {
                    w.WriteLine($"private key: {privatePath} (owner-only)");
                    w.WriteLine($"public key:  {publicPath}");
                    w.WriteLine($"public key hex: {ToHex(pk)}");
                });
        });
        return command;
    }

    private static Command CreateSeal()
    {
        var suiteOption = SuiteOption();
        var infoOption = InfoOption();
        var aadOption = AadOption();
        var publicKey = new Option<string>("--public-key") { Description = $"The recipient's public key: {ByteRule}", Required = true };
        var input = new Option<string>("--in") { Description = $"The plaintext: {ByteRule}, or - (hex on stdin)", DefaultValueFactory = _ => "-" };
        var outPath = new Option<string>("--out") { Description = "Where to write enc || ct: a file (raw; hex text for .hex) or - (hex on stdout)", DefaultValueFactory = _ => "-" };
        var command = new Command("seal", "Encrypt a message to a public key: writes enc || ct (RFC 9180 §6.1 SealBase)")
        {
            suiteOption, publicKey, infoOption, aadOption, input, outPath,
        };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            if (!TryParseSuite(output, parse.GetValue(suiteOption)!, out var suite, out var failed)
                || !TryRead(output, "--public-key", parse.GetValue(publicKey)!, allowStdin: false, out var pkBytes, out failed)
                || !TryRead(output, "--info", parse.GetValue(infoOption)!, allowStdin: false, out var info, out failed)
                || !TryRead(output, "--aad", parse.GetValue(aadOption)!, allowStdin: false, out var aad, out failed)
                || !TryRead(output, "--in", parse.GetValue(input)!, allowStdin: true, out var plaintext, out failed))
            {
                return failed;
            }

            HpkePublicKey pkR;
            try
            {
                pkR = HpkePublicKey.Import(suite.Kem, pkBytes);
            }
            catch (HpkeFormatException e)
            {
                return output.Fail(ExitCodes.Usage, $"--public-key: {e.Message}", $"suite {suite.Name} needs a {suite.Kem} public key");
            }

            var ciphertext = suite.Seal(pkR, info, aad, plaintext);
            var target = parse.GetValue(outPath)!;
            if (!TryWrite(output, target, ciphertext, out failed))
            {
                return failed;
            }

            var json = new JsonObject
            {
                ["suite"] = suite.Name,
                ["encapsulatedKey"] = ToHex(ciphertext.AsSpan(0, suite.EncapsulatedKeySize)),
                ["size"] = ciphertext.Length,
            };
            if (target == "-")
            {
                json["ciphertext"] = ToHex(ciphertext);
            }
            else
            {
                json["out"] = target;
            }

            return output.Result(ExitCodes.Success, json, w =>
            {
                if (target == "-")
                {
                    w.WriteLine(ToHex(ciphertext));
                }
                else
                {
                    w.WriteLine($"sealed {plaintext.Length} bytes into {ciphertext.Length} ({suite.Name}): {target}");
                }
            });
        });
        return command;
    }

    private static Command CreateOpen()
    {
        var suiteOption = SuiteOption();
        var infoOption = InfoOption();
        var aadOption = AadOption();
        var privateKey = new Option<string>("--private-key") { Description = $"The recipient's private key: {ByteRule}", Required = true };
        var input = new Option<string>("--in") { Description = $"The message enc || ct: {ByteRule}, or - (hex on stdin)", DefaultValueFactory = _ => "-" };
        var outPath = new Option<string>("--out") { Description = "Where to write the plaintext: a file (raw; hex text for .hex) or - (hex on stdout)", DefaultValueFactory = _ => "-" };
        var command = new Command("open", "Decrypt enc || ct with a private key (RFC 9180 §6.1 OpenBase); exit 1 when it does not open")
        {
            suiteOption, privateKey, infoOption, aadOption, input, outPath,
        };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            if (!TryParseSuite(output, parse.GetValue(suiteOption)!, out var suite, out var failed)
                || !TryRead(output, "--private-key", parse.GetValue(privateKey)!, allowStdin: false, out var skBytes, out failed)
                || !TryRead(output, "--info", parse.GetValue(infoOption)!, allowStdin: false, out var info, out failed)
                || !TryRead(output, "--aad", parse.GetValue(aadOption)!, allowStdin: false, out var aad, out failed)
                || !TryRead(output, "--in", parse.GetValue(input)!, allowStdin: true, out var ciphertext, out failed))
            {
                return failed;
            }

            HpkePrivateKey skR;
            try
            {
                skR = HpkePrivateKey.Import(suite.Kem, skBytes);
            }
            catch (HpkeFormatException e)
            {
                return output.Fail(ExitCodes.Usage, $"--private-key: {e.Message}", $"suite {suite.Name} needs a {suite.Kem} private key");
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(skBytes);
            }

            using (skR)
            {
                if (!suite.TryOpen(skR, info, aad, ciphertext, out var plaintext))
                {
                    // One answer for every reason, as the library gives: no hint which check failed.
                    return output.Fail(
                        ExitCodes.Invalid,
                        "the message does not open with this key, suite, info and aad",
                        "a message for another recipient, an altered or truncated one, or other --info/--aad never opens");
                }

                var target = parse.GetValue(outPath)!;
                if (!TryWrite(output, target, plaintext, out failed))
                {
                    return failed;
                }

                var json = new JsonObject { ["suite"] = suite.Name, ["opened"] = true, ["size"] = plaintext.Length };
                if (target == "-")
                {
                    json["plaintext"] = ToHex(plaintext);
                }
                else
                {
                    json["out"] = target;
                }

                return output.Result(ExitCodes.Success, json, w =>
                {
                    if (target == "-")
                    {
                        w.WriteLine(ToHex(plaintext));
                    }
                    else
                    {
                        w.WriteLine($"opened {ciphertext.Length} bytes into {plaintext.Length} ({suite.Name}): {target}");
                    }
                });
            }
        });
        return command;
    }

    private static bool TryParseSuite(CommandOutput output, string name, out HpkeSuite suite, out int failed)
    {
        failed = 0;
        if (!HpkeSuite.TryParse(name, out var parsed, out var error))
        {
            suite = null!;
            failed = output.Fail(ExitCodes.Usage, $"--suite: {error.Message}", "e.g. --suite x25519-sha256-chacha20poly1305");
            return false;
        }

        if (parsed.IsExportOnly)
        {
            suite = null!;
            failed = output.Fail(ExitCodes.Usage, $"--suite: {parsed.Name} is export-only and cannot seal or open messages", "choose aes128gcm, aes256gcm or chacha20poly1305 as the AEAD");
            return false;
        }

        suite = parsed;
        return true;
    }

    // The byte-argument rule of the remarks above: hex:..., - (hex on stdin), or a file (raw; .hex is hex text).
    private static bool TryRead(CommandOutput output, string option, string value, bool allowStdin, out byte[] bytes, out int failed)
    {
        bytes = [];
        failed = 0;
        string? hexText = null;
        string where;
        if (value.StartsWith("hex:", StringComparison.Ordinal))
        {
            hexText = value[4..];
            where = $"\"{value}\"";
            if (!TryParseHex(hexText, out bytes, out var problem))
            {
                failed = output.Fail(ExitCodes.Usage, $"{option}: {where}: {problem} (counting from the first character after \"hex:\")", $"{option} takes {ByteRule}");
                return false;
            }

            return true;
        }

        if (value == "-")
        {
            if (!allowStdin)
            {
                failed = output.Fail(ExitCodes.Usage, $"{option}: - (standard input) is accepted only by --in", $"{option} takes {ByteRule}");
                return false;
            }

            where = "standard input";
            try
            {
                hexText = Console.In.ReadToEnd();
            }
            catch (IOException e)
            {
                failed = output.Fail(ExitCodes.Failure, $"{option}: cannot read standard input: {e.Message}");
                return false;
            }
        }
        else
        {
            where = value;
            try
            {
                if (value.EndsWith(".hex", StringComparison.OrdinalIgnoreCase))
                {
                    hexText = File.ReadAllText(value, Encoding.ASCII);
                }
                else
                {
                    bytes = File.ReadAllBytes(value);
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed = output.Fail(ExitCodes.Failure, $"{option}: cannot read {value}: {e.Message}", $"{option} takes {ByteRule}");
                return false;
            }
        }

        if (!TryParseHex(hexText, out bytes, out var error))
        {
            failed = output.Fail(ExitCodes.Usage, $"{option}: {where}: {error}", "hex text holds pairs of hex digits; whitespace is ignored");
            return false;
        }

        return true;
    }

    private static bool TryWrite(CommandOutput output, string target, byte[] bytes, out int failed)
    {
        failed = 0;
        if (target == "-")
        {
            return true;
        }

        try
        {
            if (target.EndsWith(".hex", StringComparison.OrdinalIgnoreCase))
            {
                File.WriteAllText(target, ToHex(bytes) + "\n", Encoding.ASCII);
            }
            else
            {
                File.WriteAllBytes(target, bytes);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed = output.Fail(ExitCodes.Failure, $"--out: cannot write {target}: {e.Message}");
            return false;
        }
    }

    private static void WriteNewFile(string path, byte[] bytes, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        if (path.EndsWith(".hex", StringComparison.OrdinalIgnoreCase))
        {
            var text = Encoding.ASCII.GetBytes(ToHex(bytes) + "\n");
            stream.Write(text);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(text);
        }
        else
        {
            stream.Write(bytes);
        }
    }

    /// <summary>Hex digits in pairs, whitespace ignored; the error names the 1-based position of the first bad character.</summary>
    internal static bool TryParseHex(string text, out byte[] bytes, out string error)
    {
        var digits = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            var value = HexValue(c);
            if (value < 0)
            {
                bytes = [];
                error = char.IsControl(c) || c > '~'
                    ? $"character U+{(int)c:X4} at position {i + 1} is not a hex digit"
                    : $"'{c}' at position {i + 1} is not a hex digit";
                return false;
            }

            digits.Add((byte)value);
        }

        if (digits.Count % 2 != 0)
        {
            bytes = [];
            error = $"odd number of hex digits ({digits.Count}): each byte is two digits";
            return false;
        }

        bytes = new byte[digits.Count / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((digits[2 * i] << 4) | digits[(2 * i) + 1]);
        }

        error = string.Empty;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
