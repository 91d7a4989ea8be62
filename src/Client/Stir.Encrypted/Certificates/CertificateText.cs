using System.Text;

namespace Stir.Encrypted.Certificates;

/// <summary>How certificate content (IA5 text that may hold control characters) appears in messages.</summary>
internal static class CertificateText
{
    /// <summary>The text in single quotes, with control characters, quotes and backslashes escaped, so that a message stays one line.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text)
        {
            if (c < 0x20 || c >= 0x7F || c == '\'' || c == '\\')
            {
                sb.Append(c switch { '\'' => "\\'", '\\' => "\\\\", _ => $"\\u{(int)c:x4}" });
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>A duration for people: <c>3 days 4 h</c>, <c>2 h 5 min</c>, <c>12 min 3 s</c>, <c>41 s</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = span.Negate();
        }

        var s = (long)span.TotalSeconds;
        if (s < 60)
        {
            return $"{s} s";
        }

        if (s < 3600)
        {
            return s % 60 == 0 ? $"{s / 60} min" : $"{s / 60} min {s % 60} s";
        }

        if (s < 86400)
        {
            var min = s % 3600 / 60;
            return min == 0 ? $"{s / 3600} h" : $"{s / 3600} h {min} min";
        }

        var days = s / 86400;
        var hours = s % 86400 / 3600;
        var unit = days == 1 ? "day" : "days";
        return hours == 0 ? $"{days} {unit}" : $"{days} {unit} {hours} h";
    }

    /// <summary>A UTC instant in ISO 8601 with seconds, as certificates carry it.</summary>
    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
