using System.Diagnostics;

namespace VoiceMesh.ServiceDefaults;

/// <summary>The ActivitySource and Meter name VoiceMesh's own instrumentation uses.</summary>
public static class VoiceMeshTelemetry
{
    public const string Name = "VoiceMesh";

    public static ActivitySource ActivitySource { get; } = new(Name);
}
