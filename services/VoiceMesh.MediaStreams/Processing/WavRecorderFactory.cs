using Microsoft.Extensions.Options;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Records the streams that ask for it: the <c>&lt;Parameter name="record"&gt;</c> of the stream (<c>true</c> or
/// <c>false</c>), else <see cref="WavRecorderOptions.Enabled"/>. A value that is neither is logged and gets the default.
/// </summary>
internal sealed partial class WavRecorderFactory(
    IOptions<MediaStreamsOptions> options, IHostEnvironment environment, ILogger<WavRecorderFactory> logger) : IMediaProcessorFactory
{
    /// <summary>The <c>&lt;Parameter name="record"&gt;</c> of a stream that chooses whether it is recorded.</summary>
    public const string Parameter = "record";

    public IMediaProcessor? Create(StreamContext stream, IStreamObserver observer)
    {
        var settings = options.Value.Recorder;
        if (!Wanted(stream, settings.Enabled))
        {
            return null;
        }

        var directory = Path.GetFullPath(settings.Directory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        return new WavRecorderProcessor(stream, directory, settings.MaxGap, logger);
    }

    private bool Wanted(StreamContext stream, bool configured)
    {
        if (!stream.CustomParameters.TryGetValue(Parameter, out var named))
        {
            return configured;
        }

        if (bool.TryParse(named, out var wanted))
        {
            return wanted;
        }

        LogUnknown(stream.StreamSid, named, configured);
        return configured;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamSid} asked for record '{Named}', which is not true or false; recorded: {Configured}")]
    private partial void LogUnknown(string streamSid, string named, bool configured);
}
