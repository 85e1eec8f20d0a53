using Microsoft.Extensions.Options;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Each stream's VAD: the one its <c>&lt;Stream&gt;</c> names in the custom parameter <c>vad</c> (<c>energy</c> or
/// <c>silero</c>), else <see cref="MediaStreamsOptions.Vad"/>. The neural VAD falls back to the energy VAD when its model
/// is absent (logged once, by <see cref="SileroModel"/>); an unknown name is logged and gets the default.
/// </summary>
internal sealed partial class VoiceActivityFactory(
    IOptions<MediaStreamsOptions> options, SileroModel silero, TimeProvider clock, ILogger<VoiceActivityFactory> logger) : IMediaProcessorFactory
{
    /// <summary>The <c>&lt;Parameter name="vad"&gt;</c> of a stream that chooses its VAD.</summary>
    public const string Parameter = "vad";

    public IMediaProcessor Create(StreamContext stream, IStreamObserver observer)
    {
        var settings = options.Value;
        if (Choose(stream, settings.Vad) == VadKind.Silero && silero.Batcher is { } batcher)
        {
            return new SileroVoiceActivityProcessor(stream, observer, batcher, settings.Silero, settings.VoiceActivity.DeadAir, clock);
        }

        return new EnergyVoiceActivityProcessor(stream, observer, settings.VoiceActivity, clock);
    }

    private VadKind Choose(StreamContext stream, VadKind configured)
    {
        if (!stream.CustomParameters.TryGetValue(Parameter, out var named))
        {
            return configured;
        }

        if (Enum.TryParse<VadKind>(named, ignoreCase: true, out var kind) && Enum.IsDefined(kind))
        {
            return kind;
        }

        LogUnknown(stream.StreamSid, named, configured);
        return configured;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamSid} asked for VAD '{Named}', which is not energy or silero; it runs {Configured}")]
    private partial void LogUnknown(string streamSid, string named, VadKind configured);
}
