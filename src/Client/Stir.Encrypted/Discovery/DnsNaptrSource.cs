using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Stir.Encrypted.Discovery;

/// <summary>
/// NAPTR queries over DNS with DnsClient. Truncated UDP answers are retried over TCP (RFC 7766 §5; DnsClient
/// <c>UseTcpFallback</c>, checked by the tests). SERVFAIL and REFUSED from one server move on to the next.
/// Timeouts are retried <see cref="EnumResolverOptions.Retries"/> times. DnsClient's own cache is off:
/// <see cref="NaptrCache"/> caches with an injectable clock and a bound.
/// </summary>
internal sealed class DnsNaptrSource : INaptrSource
{
    private readonly LookupClient _client;
    private readonly int _maxRecords;

    public DnsNaptrSource(EnumResolverOptions options)
    {
        var lookup = options.NameServers.Count > 0
            ? new LookupClientOptions(options.NameServers.ToArray())
            : new LookupClientOptions();
        lookup.Timeout = options.Timeout;
        lookup.Retries = options.Retries;
        lookup.UseTcpFallback = true;
        lookup.UseCache = false;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = true;

        // NXDOMAIN and NODATA are answers. Asking the next server after one would only hide a missing record.
        lookup.ContinueOnEmptyResponse = false;
        lookup.UseRandomNameServer = false;
        lookup.EnableAuditTrail = false;
        _client = new LookupClient(lookup);
        _maxRecords = options.MaxRecordsPerAnswer;
    }

    public async Task<NaptrAnswer> QueryAsync(string domain, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(domain, QueryType.NAPTR, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseParseException e)
        {
            throw new EnumLookupException(domain, "the response is malformed (it does not parse as a DNS message)", e);
        }
        catch (DnsXidMismatchException e)
        {
            throw new EnumLookupException(domain, "the response's ID does not match the query (a stray or spoofed answer)", e);
        }
        catch (DnsResponseException e) when (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            throw new EnumLookupException(domain, "no answer from the name servers (timed out)", e);
        }
        catch (DnsResponseException e)
        {
            throw new EnumLookupException(domain, Describe(e), e);
        }
        catch (SocketException e)
        {
            throw new EnumLookupException(domain, $"network error ({e.SocketErrorCode})", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // DnsClient reports its own per-query timeout as a cancellation on some paths.
            throw new EnumLookupException(domain, "no answer from the name servers (timed out)");
        }

        return Read(domain, response);
    }

    private NaptrAnswer Read(string domain, IDnsQueryResponse response)
    {
        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return NaptrAnswer.NoRecords(domain, "NXDOMAIN", NegativeTtl(response));
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            throw new EnumLookupException(domain, $"the name server answered {ResponseCodeName(code)}");
        }

        if (response.Header.ResultTruncated)
        {
            // UseTcpFallback re-asks over TCP, so this is a TCP answer that is itself truncated.
            throw new EnumLookupException(domain, "the answer is truncated (TC) even over TCP");
        }

        if (response.Answers.Count > _maxRecords)
        {
            throw new EnumLookupException(domain, $"the answer holds {response.Answers.Count} records (limit {_maxRecords})");
        }

        // Every NAPTR in the answer section counts, including one reached through a CNAME. A server that lies about
        // the owner name could lie about the records anyway; what the records point to is verified later.
        var naptrs = response.Answers.OfType<NAPtrRecord>().ToList();
        if (naptrs.Count == 0)
        {
            return NaptrAnswer.NoRecords(domain, "NODATA", NegativeTtl(response));
        }

        var records = new List<NaptrRecord>(naptrs.Count);
        foreach (var n in naptrs)
        {
            if (n.Order is < 0 or > ushort.MaxValue || n.Preference is < 0 or > ushort.MaxValue)
            {
                throw new EnumLookupException(domain, "a NAPTR record has an ORDER or PREFERENCE outside 0..65535");
            }

            records.Add(new NaptrRecord((ushort)n.Order, (ushort)n.Preference, n.Flags ?? string.Empty, n.Services ?? string.Empty, n.RegularExpression ?? string.Empty, n.Replacement?.Value ?? "."));
        }

        var ttl = TimeSpan.FromSeconds(Math.Max(0, naptrs.Min(n => n.TimeToLive)));
        return NaptrAnswer.WithRecords(domain, records, ttl);
    }

    // RFC 2308 §5: a negative answer is cached for the lower of the SOA's TTL and its MINIMUM field.
    private static TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
        return soa is null ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, Math.Min(soa.TimeToLive, (long)soa.Minimum)));
    }

    // DnsClient's messages name the server's address, which stays out of ours (CONVENTIONS.md: no IPs in logs).
    private static string Describe(DnsResponseException e)
    {
        if (e.InnerException is SocketException socket)
        {
            // For example a truncated UDP answer whose TCP retry is refused.
            return $"network error ({socket.SocketErrorCode})";
        }

        return e.Code == DnsResponseCode.Unassigned && e.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
            ? "the answer is truncated (TC) even over TCP"
            : $"DNS client error {e.Code} ({e.DnsError})";
    }

    private static string ResponseCodeName(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
        DnsHeaderResponseCode.Refused => "REFUSED",
        DnsHeaderResponseCode.FormatError => "FORMERR",
        DnsHeaderResponseCode.NotImplemented => "NOTIMP",
        _ => $"response code {(int)code}",
    };
}
