using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>
/// One run of the purge job: finds recordings whose retention ran out, neither held nor being purged (one indexed
/// column, <see cref="Recording.PurgeDueAt"/>), in batches of <see cref="RetentionOptions.BatchSize"/>, and stores the
/// decision to purge each through the command path. The message id is the same for a recording on every instance,
/// so instances running at once decide once: the loser's save finds the id stored, or the stream changed, and skips.
/// </summary>
public sealed partial class RetentionPurge(
    IDocumentStore store, StreamCommands commands, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionPurge> logger)
{
    /// <summary>The message id of a retention purge, per recording stream.</summary>
    public const string MessageId = "retention-purge";

    /// <summary>Returns how many purges this run requested. Takes another batch while a full one made progress.</summary>
    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        var batchSize = options.Value.BatchSize;
        var requested = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            IReadOnlyList<string> due;
            await using (var query = store.QuerySession())
            {
                due = await query.Query<Recording>()
                    .Where(r => r.PurgeDueAt <= now)
                    .OrderBy(r => r.PurgeDueAt)
                    .Take(batchSize)
                    .Select(r => r.Id)
                    .ToListAsync(cancellationToken);
            }

            var progress = 0;
            foreach (var sid in due)
            {
                progress += await Request(sid, now, cancellationToken) ? 1 : 0;
            }

            requested += progress;
            if (due.Count < batchSize || progress == 0)
            {
                return requested;
            }
        }
    }

    private async Task<bool> Request(string recordingSid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var appended = await commands.Execute<Recording>(
                recordingSid, MessageId, r => RetentionDecisions.RequestPurge(r, PurgeReason.Retention, now).Decision, cancellationToken);
            if (appended.Count == 0)
            {
                LogDecidedElsewhere(recordingSid);
                return false;
            }

            LogRequested(recordingSid);
            return true;
        }
        catch (StreamConflictException)
        {
            LogDecidedElsewhere(recordingSid);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} is to be purged: its retention ran out")]
    private partial void LogRequested(string recordingSid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording {RecordingSid} was decided meanwhile (another instance, a hold or an erasure)")]
    private partial void LogDecidedElsewhere(string recordingSid);
}
