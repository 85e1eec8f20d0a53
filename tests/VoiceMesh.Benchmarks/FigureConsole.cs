using System.Globalization;

namespace VoiceMesh.Benchmarks;

/// <summary>Prints a scenario's figures, each with its target and its baseline, and judges them.</summary>
internal static class FigureConsole
{
    /// <summary>Whether every figure with a target meets it.</summary>
    public static bool AllMet(IEnumerable<Figure> figures) => figures.All(f => f.Target?.IsMetBy(f.Value) != false);

    public static void Print(IReadOnlyList<Figure> figures)
    {
        var byName = figures.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var width = figures.Max(f => f.Name.Length);
        Console.WriteLine("  figures");
        foreach (var figure in figures)
        {
            var line = $"    {figure.Name.PadRight(width)} {Format(figure.Value),10} {figure.Unit,-11}";
            if (figure.Target is { } target)
            {
                line += $" target {target,-8} {(target.IsMetBy(figure.Value) ? "met" : "MISSED"),-6}";
            }

            if (figure.Baseline is { } name && byName.TryGetValue(name, out var baseline))
            {
                line += $" vs {name} {Format(baseline.Value)} {baseline.Unit}"
                    + (baseline.Value != 0 && figure.Unit == baseline.Unit ? $" ({figure.Value / baseline.Value:F2}x)" : "");
            }

            Console.WriteLine(line.TrimEnd());
        }
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 100 || value == Math.Floor(value)
            ? value.ToString("N0", CultureInfo.InvariantCulture)
            : value.ToString("F2", CultureInfo.InvariantCulture);
}
