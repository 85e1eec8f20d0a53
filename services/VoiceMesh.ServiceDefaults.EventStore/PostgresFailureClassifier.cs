using System.Net.Sockets;
using Npgsql;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// PostgreSQL's part of the retry policy: a database that cannot be reached or is shutting down is an outage (the
/// message is held until it is back); a stream changed meanwhile is a conflict.
/// </summary>
internal sealed class PostgresFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception)
    {
        if (StreamCommands.IsConflict(exception))
        {
            return FailureKind.Conflict;
        }

        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException
                || e is PostgresException { SqlState: var state } && IsUnavailable(state))
            {
                return FailureKind.Outage;
            }
        }

        return null;
    }

    /// <summary>Connection exceptions (08), insufficient resources (53), operator intervention such as a shutdown (57).</summary>
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57", StringComparison.Ordinal);
}
