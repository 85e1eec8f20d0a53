using Npgsql;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// The connections that end leases (release, release for a call's end, expiry): they commit with
/// <c>synchronous_commit = off</c>, not waiting for the WAL flush, while acquisitions commit durably (an acquisition
/// answered to its caller must survive a crash of PostgreSQL, or the number's slot would be handed out twice). A crash
/// of PostgreSQL may lose the last few hundred milliseconds of ended leases, and only in the safe direction: the lease
/// row, the number's count and the ledger event are lost together (one statement), so the lease is still open, holds
/// its slot until its expiry and the sweeper ends it then. No limit is ever exceeded and no ledger disagrees with the
/// lease table. The saving is one WAL flush wait per lease: the number-acquire benchmark measured about a third of
/// PostgreSQL's CPU per acquisition and release in the commits' flushes.
/// </summary>
public sealed class LeaseEndings(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>The lease connections' string with <c>synchronous_commit = off</c> set for every session it opens.</summary>
    public static string ConnectionString(string leases)
    {
        var builder = new NpgsqlConnectionStringBuilder(leases);
        builder.Options = $"{builder.Options} -c synchronous_commit=off".Trim();
        return builder.ConnectionString;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
