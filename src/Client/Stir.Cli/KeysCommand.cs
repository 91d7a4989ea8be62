using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stir.Encrypted.Certificates;
using Stir.Encrypted.Hpke;
using Stir.Encrypted.KeyRecords;
using Stir.Encrypted.Passports;
using Stir.Encrypted.Telephony;

namespace Stir.Encrypted.Cli;

/// <summary>
/// `stir keys generate|record`: the HPKE key pair of a key holder, and the signed key record (or revocation) that
/// publishes its public key in the credential directory (spec/protocol.md §10).
/// </summary>
/// <remarks>
/// Key files hold the key as one line of base64url text (the form key records carry): the private key file is
/// created owner-only (0600), and no existing file is ever overwritten.
/// </remarks>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "HPKE key pairs for the credential directory, and the key records that publish them");
        command.Subcommands.Add(CreateGenerate());
        command.Subcommands.Add(CreateRecord());
        return command;
    }

    private static Command CreateGenerate()
    {
        var privateKey = new Option<FileInfo>("--private-key") { Description = "File to create for the private key (base64url text, owner-only)", Required = true };
        var publicKey = new Option<FileInfo>("--public-key") { Description = "File to create for the public key (base64url text)", Required = true };
        var command = new Command("generate", $"Generate an HPKE key pair ({HpkeSuite.X25519Sha256ChaCha20Poly1305.Name}); existing files are never overwritten") { privateKey, publicKey };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            var privatePath = parse.GetValue(privateKey)!.FullName;
            var publicPath = parse.GetValue(publicKey)!.FullName;
            using var key = HpkePrivateKey.Generate(HpkeSuite.X25519Sha256ChaCha20Poly1305.Kem);
            var secret = key.Export();
            var text = System.Text.Encoding.ASCII.GetBytes(Base64Url(secret) + "\n");
            try
            {
                WriteNew(privatePath, text, ownerOnly: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, $"--private-key: cannot create {privatePath}: {e.Message}", "choose a path that does not exist yet in a writable directory");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
                CryptographicOperations.ZeroMemory(text);
            }

            var pk = Base64Url(key.PublicKey.Export());
            try
            {
                WriteNew(publicPath, System.Text.Encoding.ASCII.GetBytes(pk + "\n"), ownerOnly: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                File.Delete(privatePath); // a private key without its public key is no key pair
                return output.Fail(ExitCodes.Failure, $"--public-key: cannot create {publicPath}: {e.Message}", "choose a path that does not exist yet in a writable directory");
            }

            return output.Result(
                ExitCodes.Success,
                new JsonObject { ["suite"] = HpkeSuite.X25519Sha256ChaCha20Poly1305.Name, ["privateKeyFile"] = privatePath, ["publicKeyFile"] = publicPath, ["publicKey"] = pk },
                w =>
                {
                    w.WriteLine($"private key: {privatePath} (owner-only)");
                    w.WriteLine($"public key:  {publicPath}");
                });
        });
        return command;
    }

    private static Command CreateRecord()
    {
        var cert = new Option<FileInfo>("--cert") { Description = "PEM chain of the signer's STIR certificate, end entity first (e.g. NAME.chain.pem of `stir pki issue`)", Required = true };
        var key = new Option<FileInfo>("--key") { Description = "The end entity's P-256 private key, PEM", Required = true };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "The HPKE public key file of `stir keys generate` (not for --revoke)" };
        var tn = new Option<string[]>("--tn") { Description = "A number the key is for, +E.164 or canonical (repeatable)" };
        var range = new Option<string[]>("--range") { Description = "A range the key is for, start+count, e.g. 12025550100+100 (repeatable)" };
        var rid = new Option<string>("--rid") { Description = "The record identifier, 1 to 64 of A-Z a-z 0-9 . _ -", Required = true };
        var seq = new Option<long>("--seq") { Description = "The publication number, higher than every earlier one of the rid", Required = true };
        var days = new Option<int>("--days") { Description = "Validity from now, in days (within the certificate chain's)", DefaultValueFactory = _ => 30 };
        var role = new Option<string?>("--role") { Description = "The holder's role: carrier, reseller, enterprise or user" };
        var revoke = new Option<bool>("--revoke") { Description = "Sign a revocation of the rid instead of a record (--seq higher than the rid's last; it supersedes every lower seq)" };
        var outFile = new Option<FileInfo?>("--out") { Description = "Write the token to this file instead of standard output" };
        var command = new Command("record", "Sign a key record (or, with --revoke, a revocation) for the credential directory")
        {
            cert, key, publicKey, tn, range, rid, seq, days, role, revoke, outFile,
        };
        command.SetAction(parse =>
        {
            var output = CommandOutput.For(parse);
            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain;
            PassportSigningKey signingKey;
            try
            {
                chain = CertificateChain.LoadPemFile(parse.GetValue(cert)!.FullName);
                signingKey = PassportSigningKey.FromPem(File.ReadAllText(parse.GetValue(key)!.FullName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return output.Fail(ExitCodes.Failure, e.Message);
            }
            catch (FormatException e)
            {
                return output.Fail(ExitCodes.Usage, e.Message, "--cert is a PEM certificate chain, --key the PEM private key of its first certificate");
            }

            using (signingKey)
            {
                KeyRecordSigner signer;
                try
                {
                    signer = new KeyRecordSigner(signingKey, chain);
                }
                catch (ArgumentException e)
                {
                    return output.Fail(ExitCodes.Usage, e.Message, "--key must be the private key of the first certificate of --cert");
                }

                KeyRecord record;
                try
                {
                    if (parse.GetValue(revoke))
                    {
                        if (parse.GetValue(publicKey) is not null || parse.GetValue(tn)!.Length > 0 || parse.GetValue(range)!.Length > 0 || parse.GetValue(role) is not null)
                        {
                            return output.Fail(ExitCodes.Usage, "a revocation names only --rid and --seq", "leave out --public-key, --tn, --range and --role with --revoke");
                        }

                        record = signer.Revoke(parse.GetValue(rid)!, parse.GetValue(seq));
                    }
                    else
                    {
                        if (!TryContent(parse, output, chain, publicKey, tn, range, rid, seq, days, role, out var content, out var failed))
                        {
                            return failed;
                        }

                        record = signer.Sign(content);
                    }
                }
                catch (ArgumentException e)
                {
                    return output.Fail(ExitCodes.Usage, e.Message);
                }

                if (parse.GetValue(outFile) is { } file)
                {
                    try
                    {
                        File.WriteAllText(file.FullName, record.Token + "\n");
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        return output.Fail(ExitCodes.Failure, $"--out: cannot write {file.FullName}: {e.Message}");
                    }
                }

                var json = Describe(record);
                json["token"] = record.Token;
                return output.Result(ExitCodes.Success, json, w =>
                {
                    if (parse.GetValue(outFile) is { } written)
                    {
                        w.WriteLine($"{record}: {written.FullName}");
                    }
                    else
                    {
                        w.WriteLine(record.Token);
                    }
                });
            }
        });
        return command;
    }

    private static bool TryContent(
        ParseResult parse,
        CommandOutput output,
        IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain,
        Option<FileInfo?> publicKey,
        Option<string[]> tn,
        Option<string[]> range,
        Option<string> rid,
        Option<long> seq,
        Option<int> days,
        Option<string?> role,
        out KeyRecordContent content,
        out int failed)
    {
        content = null!;
        if (parse.GetValue(publicKey) is not { } publicKeyFile)
        {
            failed = output.Fail(ExitCodes.Usage, "--public-key is missing", "a key record publishes an HPKE public key: give the file of `stir keys generate` (or --revoke)");
            return false;
        }

        HpkePublicKey pk;
        try
        {
            pk = ReadPublicKey(publicKeyFile.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failed = output.Fail(ExitCodes.Failure, e.Message);
            return false;
        }
        catch (FormatException e)
        {
            failed = output.Fail(ExitCodes.Usage, $"--public-key: {e.Message}", "give the public key file of `stir keys generate`");
            return false;
        }

        var numbers = new List<TelephoneNumber>();
        foreach (var value in parse.GetValue(tn)!)
        {
            if (!TryNumber(value, out var number, out var problem))
            {
                failed = output.Fail(ExitCodes.Usage, $"--tn {value}: {problem}", "write numbers as +<country code><number> or canonically");
                return false;
            }

            numbers.Add(number);
        }

        var ranges = new List<TelephoneNumberRange>();
        foreach (var value in parse.GetValue(range)!)
        {
            try
            {
                ranges.Add(TelephoneNumberRange.Parse(value));
            }
            catch (TelephoneNumberFormatException e)
            {
                failed = output.Fail(ExitCodes.Usage, $"--range: {e.Message}", "write a range as start+count, e.g. 12025550100+100");
                return false;
            }
        }

        if (numbers.Count == 0 && ranges.Count == 0)
        {
            failed = output.Fail(ExitCodes.Usage, "no number: give --tn or --range (or both, repeatable)");
            return false;
        }

        KeyRecordRole? holderRole = null;
        if (parse.GetValue(role) is { } roleText)
        {
            holderRole = roleText switch
            {
                "carrier" => KeyRecordRole.Carrier,
                "reseller" => KeyRecordRole.Reseller,
                "enterprise" => KeyRecordRole.Enterprise,
                "user" => KeyRecordRole.User,
                _ => null,
            };
            if (holderRole is null)
            {
                failed = output.Fail(ExitCodes.Usage, $"--role {roleText} is not carrier, reseller, enterprise or user");
                return false;
            }
        }

        var validity = parse.GetValue(days);
        if (validity < 1)
        {
            failed = output.Fail(ExitCodes.Usage, $"--days {validity}: at least 1");
            return false;
        }

        var now = TimeProvider.System.GetUtcNow();
        var expires = now.AddDays(validity);
        var notAfter = chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        if (expires > notAfter)
        {
            failed = output.Fail(
                ExitCodes.Usage,
                $"--days {validity} puts exp after the certificate chain's notAfter ({notAfter:yyyy-MM-dd'T'HH:mm:ss'Z'}): a record cannot outlive its certificate",
                $"use --days {Math.Max(0, (int)(notAfter - now).TotalDays)} or less");
            return false;
        }

        content = new KeyRecordContent
        {
            Rid = parse.GetValue(rid)!,
            Seq = parse.GetValue(seq),
            PublicKey = pk,
            Numbers = numbers,
            Ranges = ranges,
            Role = holderRole,
            IssuedAt = now,
            Expires = expires,
        };
        failed = ExitCodes.Success;
        return true;
    }

    /// <summary>Reads an HPKE public key file of `stir keys generate`: one line of base64url.</summary>
    /// <exception cref="FormatException">The file does not hold a valid key.</exception>
    internal static HpkePublicKey ReadPublicKey(string path)
    {
        var text = File.ReadAllText(path).Trim();
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));
        }
        catch (FormatException)
        {
            throw new FormatException($"{path} does not hold base64url text");
        }

        return HpkePublicKey.Import(HpkeSuite.X25519Sha256ChaCha20Poly1305.Kem, bytes);
    }

    internal static JsonObject Describe(KeyRecord record)
    {
        var json = new JsonObject
        {
            ["kind"] = record.Kind == KeyRecordKind.Record ? "record" : "revocation",
            ["holder"] = record.Holder,
            ["rid"] = record.Rid,
            ["seq"] = record.Seq,
            ["issuedAt"] = record.IssuedAt.ToUnixTimeSeconds(),
        };
        if (record.Kind == KeyRecordKind.Record)
        {
            json["notBefore"] = record.NotBefore!.Value.ToUnixTimeSeconds();
            json["expires"] = record.Expires!.Value.ToUnixTimeSeconds();
            json["suite"] = record.Suite;
            json["publicKey"] = Base64Url(record.PublicKey.Span);
            json["tn"] = new JsonArray([.. record.Numbers.Select(n => (JsonNode)n.Value)]);
            json["tnr"] = new JsonArray([.. record.Ranges.Select(r => (JsonNode)r.ToString())]);
            if (record.Role is { } role)
            {
                json["role"] = role.ToString().ToLowerInvariant();
            }
        }

        return json;
    }

    internal static bool TryNumber(string value, out TelephoneNumber number, out string problem)
    {
        if (value.StartsWith('+') || value.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            var ok = TelephoneNumber.TryParseE164(value, out var e164, out var error);
            number = e164!;
            problem = error?.Message ?? string.Empty;
            return ok;
        }

        var canonical = TelephoneNumber.TryParseCanonical(value, out var parsed, out var canonicalError);
        number = parsed!;
        problem = canonicalError?.Message ?? string.Empty;
        return canonical;
    }

    internal static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void WriteNew(string path, byte[] content, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
