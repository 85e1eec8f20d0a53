using System.ComponentModel.DataAnnotations;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams;

public sealed class MediaStreamsOptions : IConfigurationOptions
{
    public static string Section => "MediaStreams";

    /// <summary>The largest WebSocket message accepted; a larger one closes the stream (1009). A 20 ms frame is ~300 bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Frames buffered per stream between the socket and its processors. When processing falls this far behind, the
    /// oldest frame is dropped and counted (<c>droppedFrames</c>): memory per stream stays bounded.
    /// </summary>
    [Range(2, 10_000)]
    public int FrameBuffer { get; set; } = 250;

    /// <summary>How long a message to Twilio may take to send before the connection is given up (a peer that stopped reading).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where PlayAudio's <c>file</c> is read from (relative names only); relative to the content root.</summary>
    [Required]
    public string AudioDirectory { get; set; } = "audio";

    [Required]
    public VoiceActivityOptions VoiceActivity { get; set; } = new();

    /// <summary>The VAD of a stream whose <c>&lt;Stream&gt;</c> does not name one (custom parameter <c>vad</c>).</summary>
    [EnumDataType(typeof(VadKind))]
    public VadKind Vad { get; set; } = VadKind.Energy;

    [Required]
    public SileroOptions Silero { get; set; } = new();

    /// <summary>The live recorder (<see cref="WavRecorderFactory"/>): off unless enabled here or by a stream's <c>record</c> parameter.</summary>
    [Required]
    public WavRecorderOptions Recorder { get; set; } = new();
}
