namespace Stir.Encrypted.DirectoryService.Tests.Support;

/// <summary>A handler in front of the test server that records every request (method, path and query, headers) and can fail them all.</summary>
internal sealed class RequestLog : DelegatingHandler
{
    private readonly List<HttpRequestMessage> _requests = [];

    public bool Down { get; set; }

    public IReadOnlyList<HttpRequestMessage> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public IEnumerable<string> Paths => Requests.Select(r => r.RequestUri!.PathAndQuery);

    public void Clear()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        return Down
            ? throw new HttpRequestException("connection refused (test: the directory is down)")
            : base.SendAsync(request, cancellationToken);
    }
}
