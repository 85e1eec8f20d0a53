using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The one Silero VAD inference session every stream shares (ONNX Runtime sessions are safe to run concurrently; each
/// stream keeps its own recurrent state). Each run uses one thread, the caller's: with hundreds of streams on a few
/// cores, parallelism comes from the streams, and intra-op threads would only contend with them. Loaded on first use;
/// when the model is absent or unreadable that is logged once and <see cref="Session"/> is null (the energy VAD runs).
/// </summary>
internal sealed partial class SileroModel : IDisposable
{
    private readonly Lazy<InferenceSession?> _session;
    private readonly ILogger<SileroModel> _logger;

    public SileroModel(IOptions<MediaStreamsOptions> options, ILogger<SileroModel> logger)
    {
        _logger = logger;
        var path = Path.Combine(AppContext.BaseDirectory, options.Value.Silero.ModelPath);
        _session = new Lazy<InferenceSession?>(() => Load(path), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The shared session, or null when the model could not be loaded.</summary>
    public InferenceSession? Session => _session.Value;

    /// <summary>One thread per run, the caller's; graph optimised once at load.</summary>
    public static OrtSessionOptions CreateSessionOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value?.Dispose();
        }
    }

    private InferenceSession? Load(string path)
    {
        if (!File.Exists(path))
        {
            LogAbsent(path);
            return null;
        }

        try
        {
            using var sessionOptions = CreateSessionOptions();
            var session = new InferenceSession(path, sessionOptions);
            LogLoaded(path);
            return session;
        }
        catch (OnnxRuntimeException ex)
        {
            LogUnreadable(path, ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silero VAD model {Path} not found (deploy/local/install.sh fetches it): streams asking for the neural VAD run the energy VAD")]
    private partial void LogAbsent(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Silero VAD model {Path} could not be loaded: streams asking for the neural VAD run the energy VAD")]
    private partial void LogUnreadable(string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silero VAD model {Path} loaded")]
    private partial void LogLoaded(string path);
}
