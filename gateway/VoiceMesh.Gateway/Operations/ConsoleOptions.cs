using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Operations;

/// <summary>The operations console's settings: where its trace links point.</summary>
public sealed class ConsoleOptions : IConfigurationOptions
{
    public static string Section => "Gateway:Console";

    /// <summary>
    /// The Jaeger UI the console links each call, conference and recording to: <c>/trace/{traceId}</c> when the trace id
    /// is known, else a search by the <c>twilio.*_sid</c> tag every hop carries.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [Url(ErrorMessage = "Gateway:Console:JaegerUrl must be an absolute http(s) URL.")]
    public string JaegerUrl { get; set; } = "http://127.0.0.1:16686";
}
