using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

public sealed class FlowOptions : IConfigurationOptions
{
    public static string Section => "Flows";

    /// <summary>
    /// Folder of flow files (<c>{flowId}.json</c>), relative to the service's binaries unless absolute. Each is saved
    /// as a new version at start-up when it differs from the flow's latest version.
    /// </summary>
    [Required]
    public string Directory { get; set; } = "flows";

    /// <summary>The flow that answers calls to numbers with no flow assigned.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string DefaultFlow { get; set; } = "default";

    /// <summary>How long serving remembers a number's flow and a flow's latest version (other instances see an edit after it).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a TwiML answer may take before the caller gets the apology instead (Twilio waits 15 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:14")]
    public TimeSpan AnswerBudget { get; set; } = TimeSpan.FromSeconds(5);
}
