using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Stir.Encrypted.CpsService.Observability;

/// <summary>
/// Serves the CPS meter's counters in the Prometheus text exposition format (version 0.0.4): each counter
/// <c>a.b.c</c> becomes <c>a_b_c_total</c>. Listens only to this application's own meter instance, so two
/// hosts in one process (tests) never mix their counts, and exports nothing else (framework meters carry
/// labels that this service does not control).
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), long> _values = new();
    private readonly ConcurrentDictionary<string, string> _help = new();

    public PrometheusExporter(CpsMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _help[MetricName(instrument.Name)] = instrument.Description ?? instrument.Name;
                _values.TryAdd((MetricName(instrument.Name), string.Empty), 0);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public string Render()
    {
        var text = new StringBuilder();
        foreach (var group in _values.GroupBy(v => v.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {group.Key} {_help.GetValueOrDefault(group.Key, group.Key)}\n");
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {group.Key} counter\n");
            foreach (var ((name, labels), value) in group.OrderBy(v => v.Key.Labels, StringComparer.Ordinal))
            {
                if (labels.Length == 0 && group.Count() > 1 && value == 0)
                {
                    continue; // the unlabelled placeholder of a labelled counter
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value}\n");
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            labels.Append(labels.Length == 0 ? "{" : ",");
            labels.Append(tag.Key).Append("=\"").Append(Escape(Convert.ToString(tag.Value, CultureInfo.InvariantCulture))).Append('"');
        }

        if (labels.Length > 0)
        {
            labels.Append('}');
        }

        _values.AddOrUpdate((MetricName(instrument.Name), labels.ToString()), measurement, (_, old) => old + measurement);
    }

    private static string MetricName(string instrumentName) => instrumentName.Replace('.', '_') + "_total";

    private static string Escape(string? value) => (value ?? string.Empty).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
