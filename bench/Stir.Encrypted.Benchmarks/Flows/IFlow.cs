namespace Stir.Encrypted.Benchmarks.Flows;

/// <summary>One thread's state for a flow; <see cref="RunOnce"/> does one operation and throws if its result is wrong.</summary>
internal interface IFlow : IDisposable
{
    void RunOnce();
}
