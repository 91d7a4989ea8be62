using System.Runtime.ExceptionServices;

namespace Stir.Encrypted.Tests.Formats;

/// <summary>
/// Counts every exception thrown on the current thread while a probe is open, even ones caught inside
/// the library: "TryOpen costs no exception" means no first-chance exception at all.
/// </summary>
internal sealed class HpkeNoExceptionProbe : IDisposable
{
    [ThreadStatic]
    private static HpkeNoExceptionProbe? _current;

    private static int _subscribed;
    private readonly List<string> _seen = [];

    public HpkeNoExceptionProbe()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
        }

        _current = this;
    }

    public IReadOnlyList<string> Seen => _seen;

    public void Dispose() => _current = null;

    private static void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e) =>
        _current?._seen.Add($"{e.Exception.GetType().Name}: {e.Exception.Message}");
}
