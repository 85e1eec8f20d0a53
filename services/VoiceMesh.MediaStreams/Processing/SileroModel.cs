using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The one Silero VAD inference session every stream shares (each stream keeps its own recurrent state), and the
/// <see cref="SileroBatcher"/> that runs the streams' chunks on it in batches. Each run uses one thread: the batch is
/// the parallelism, and intra-op threads would only contend with the streams for a few cores. Loaded on first use; when
/// the model is absent or unreadable that is logged once and <see cref="Batcher"/> is null (the energy VAD runs).
/// </summary>
internal sealed partial class SileroModel : IDisposable
{
    private readonly Lazy<InferenceSession?> _session;
    private readonly Lazy<SileroBatcher?> _batcher;
    private readonly ILogger<SileroModel> _logger;

    public SileroModel(IOptions<MediaStreamsOptions> options, ILogger<SileroModel> logger)
    {
        _logger = logger;
        var silero = options.Value.Silero;
        var path = Path.Combine(AppContext.BaseDirectory, silero.ModelPath);
        _session = new Lazy<InferenceSession?>(() => Load(path), LazyThreadSafetyMode.ExecutionAndPublication);
        _batcher = new Lazy<SileroBatcher?>(
            () => _session.Value is { } session ? new SileroBatcher(session, silero, logger) : null, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The batcher every neural VAD stream submits its chunks to, or null when the model could not be loaded.</summary>
    public SileroBatcher? Batcher => _batcher.Value;

    /// <summary>Inferences run and chunks judged so far; zero, without loading the model, while no stream asked for it.</summary>
    public (long Inferences, long Chunks) Counts =>
        _batcher.IsValueCreated && _batcher.Value is { } batcher ? (batcher.Runs, batcher.Chunks) : (0, 0);

    /// <summary>One thread per run; graph optimised once at load.</summary>
    public static OrtSessionOptions CreateSessionOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    public void Dispose()
    {
        if (_batcher.IsValueCreated && _batcher.Value is { } batcher)
        {
            batcher.Stop();
        }
        else if (_session.IsValueCreated)
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
