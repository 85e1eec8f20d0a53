using Microsoft.ML.OnnxRuntime;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Runs every stream's Silero chunks through the shared session in batches, by combining. A stream that submits a chunk
/// while fewer batches run than there are cores runs one itself, on its own thread, with every chunk waiting (up to
/// <see cref="SileroOptions.MaxBatch"/>), and goes on while more are waiting; a stream that submits while every core
/// runs a batch leaves its chunk to the first runner done. Each row carries its own input and recurrent state, so a
/// chunk's result is what it would be alone. On an idle machine a chunk runs at once, alone, with no hand-off; the
/// busier the machine, the more chunks wait during a run and the larger the next batch, which costs down to half the
/// CPU per chunk of running each alone (ONNX Runtime's fixed cost per run, and one matrix product instead of many
/// matrix-vector ones). A runner completes the chunks it took for other streams; their continuations go to the thread
/// pool, so a runner does not carry other streams' work.
/// </summary>
internal sealed partial class SileroBatcher
{
    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];

    private readonly InferenceSession _session;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<SileroStream> _waiting = new();
    private readonly Stack<Batch>?[] _batches;
    private readonly int _maxRunners = Environment.ProcessorCount;
    private int _running;
    private bool _stopped;
    private long _runs;
    private long _chunks;

    public SileroBatcher(InferenceSession session, SileroOptions options, ILogger logger)
    {
        _session = session;
        _logger = logger;
        _maxBatch = options.MaxBatch;
        _batches = new Stack<Batch>?[options.MaxBatch + 1];
    }

    /// <summary>Inferences run so far.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Chunks predicted so far (<see cref="Chunks"/> / <see cref="Runs"/> is the mean batch).</summary>
    public long Chunks => Interlocked.Read(ref _chunks);

    /// <summary>
    /// Queues the stream's chunk and, when a core is free of batches, runs batches on this thread until none is waiting:
    /// the chunk's prediction is complete when this returns, or completed by the runner that takes it.
    /// </summary>
    public void Submit(SileroStream stream)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                stream.Fail(new ObjectDisposedException(nameof(SileroBatcher)));
                return;
            }

            _waiting.Enqueue(stream);
            if (_running == _maxRunners)
            {
                return;
            }

            _running++;
        }

        var batch = new List<SileroStream>(_maxBatch);
        while (Take(batch))
        {
            Infer(batch);
            batch.Clear();
        }
    }

    /// <summary>Stops taking chunks: those submitted from now on fail, and the session is disposed once no batch runs.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            if (_running > 0)
            {
                return;
            }
        }

        Release();
    }

    /// <summary>Takes the next batch, or ends this runner's turn when none is waiting.</summary>
    private bool Take(List<SileroStream> batch)
    {
        lock (_gate)
        {
            while (batch.Count < _maxBatch && _waiting.TryDequeue(out var stream))
            {
                batch.Add(stream);
            }

            if (batch.Count > 0)
            {
                return true;
            }

            _running--;
            if (!_stopped || _running > 0)
            {
                return false;
            }
        }

        Release();
        return false;
    }

    private void Release()
    {
        foreach (var batch in _batches.OfType<Stack<Batch>>().SelectMany(b => b))
        {
            batch.Dispose();
        }

        _session.Dispose();
    }

    private void Infer(List<SileroStream> streams)
    {
        var size = streams.Count;
        var batch = Rent(size);
        try
        {
            for (var row = 0; row < size; row++)
            {
                streams[row].WriteTo(batch.Input.AsSpan(row * SileroStream.InputSamples, SileroStream.InputSamples), batch.State, row, size);
            }

            _session.Run(batch.Options, InputNames, batch.Inputs, OutputNames, batch.Outputs);
        }
        catch (OnnxRuntimeException ex)
        {
            Return(batch);
            LogFailed(size, ex);
            foreach (var stream in streams)
            {
                stream.Fail(ex);
            }

            return;
        }

        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _chunks, size);
        for (var row = 0; row < size; row++)
        {
            streams[row].Complete(batch.Probability[row], batch.NextState, row, size);
        }

        Return(batch);
    }

    /// <summary>The tensors of a batch of <paramref name="size"/>, free for this runner (runners run at once).</summary>
    private Batch Rent(int size)
    {
        lock (_gate)
        {
            var free = _batches[size] ??= new Stack<Batch>();
            return free.TryPop(out var batch) ? batch : new Batch(size);
        }
    }

    private void Return(Batch batch)
    {
        lock (_gate)
        {
            _batches[batch.Size]!.Push(batch);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A Silero VAD batch of {Size} chunks failed; their streams end with the error")]
    private partial void LogFailed(int size, Exception exception);

    /// <summary>The tensors of one batch size, bound to arrays allocated once: [size, 288] input, [2, size, 128] state.</summary>
    private sealed class Batch : IDisposable
    {
        public Batch(int size)
        {
            Size = size;
            Input = new float[size * SileroStream.InputSamples];
            State = new float[SileroStream.Layers * size * SileroStream.StateWidth];
            NextState = new float[State.Length];
            Probability = new float[size];
            Inputs =
            [
                OrtValue.CreateTensorValueFromMemory(Input, [size, SileroStream.InputSamples]),
                OrtValue.CreateTensorValueFromMemory(State, [SileroStream.Layers, size, SileroStream.StateWidth]),
                OrtValue.CreateTensorValueFromMemory(new long[] { 8000 }, []),
            ];
            Outputs =
            [
                OrtValue.CreateTensorValueFromMemory(Probability, [size, 1]),
                OrtValue.CreateTensorValueFromMemory(NextState, [SileroStream.Layers, size, SileroStream.StateWidth]),
            ];
        }

        public int Size { get; }

        public float[] Input { get; }

        public float[] State { get; }

        public float[] NextState { get; }

        public float[] Probability { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public RunOptions Options { get; } = new();

        public void Dispose()
        {
            foreach (var value in Inputs.Concat(Outputs))
            {
                value.Dispose();
            }

            Options.Dispose();
        }
    }
}
