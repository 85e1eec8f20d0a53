using Microsoft.Extensions.Options;

namespace VoiceMesh.Calls.Flows;

/// <summary>
/// Saves the flows of the configured folder at start-up: each <c>{flowId}.json</c> becomes the flow's next version
/// when it differs from the latest one, so a deployment's files and the API share one history. A file that is not a
/// valid flow stops the service (bad configuration fails at boot); a database that is not there yet is waited for.
/// </summary>
public sealed partial class FlowFiles(FlowStore store, IOptions<FlowOptions> options, IHostEnvironment environment, ILogger<FlowFiles> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    /// <summary>The flow files, checked: every one valid or an exception naming the file and step.</summary>
    public IReadOnlyList<(string FlowId, FlowDefinition Flow)> Read()
    {
        var directory = Path.IsPathRooted(options.Value.Directory)
            ? options.Value.Directory
            : Path.Combine(AppContext.BaseDirectory, options.Value.Directory);
        if (!Directory.Exists(directory))
        {
            LogNoDirectory(directory, environment.EnvironmentName);
            return [];
        }

        List<(string, FlowDefinition)> flows = [];
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var flowId = Path.GetFileNameWithoutExtension(file);
            var violations = FlowSaving.Check(flowId, File.ReadAllText(file), out var flow);
            if (violations.Count > 0)
            {
                throw new InvalidOperationException($"Flow file {file} is not a valid flow: {violations[0].Reason}");
            }

            flows.Add((flowId, flow!));
        }

        return flows;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var flows = Read();
        foreach (var (flowId, flow) in flows)
        {
            while (true)
            {
                try
                {
                    await SaveIfChanged(flowId, flow, stoppingToken);
                    break;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRetry(flowId, RetryInterval, ex);
                    await Task.Delay(RetryInterval, stoppingToken);
                }
            }
        }
    }

    private async Task SaveIfChanged(string flowId, FlowDefinition flow, CancellationToken cancellationToken)
    {
        var json = FlowJson.Write(flow);
        var head = await store.Head(flowId, cancellationToken);
        if (head is { Deleted: false } && (await store.Stored(flowId, head.LatestVersion, cancellationToken))?.Json == json)
        {
            return;
        }

        var saved = await store.Save(flowId, flow, "file", cancellationToken)
            ?? throw new InvalidOperationException($"Flow {flowId} was saved by someone else at the same time; comparing again.");
        LogSaved(flowId, saved.Version);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow {FlowId} from its file saved as version {Version}")]
    private partial void LogSaved(string flowId, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow {FlowId} from its file could not be saved yet; trying again in {Interval}")]
    private partial void LogRetry(string flowId, TimeSpan interval, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "No flow folder at {Directory} ({Environment}); flows come from the API only")]
    private partial void LogNoDirectory(string directory, string environment);
}
