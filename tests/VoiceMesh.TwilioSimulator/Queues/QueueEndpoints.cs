using System.Globalization;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.TwimlRuntime;

namespace VoiceMesh.TwilioSimulator.Queues;

/// <summary>Queues and their Members (REFERENCE §10). Queues made by <c>&lt;Enqueue&gt;</c> show up here too.</summary>
internal static class QueueEndpoints
{
    public static void MapQueues(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/Queues.json", CreateAsync);
        accounts.MapGet("/Queues.json", List);
        accounts.MapGet("/Queues/{queueSid}.json", Fetch);
        accounts.MapPost("/Queues/{queueSid}.json", UpdateAsync);
        accounts.MapDelete("/Queues/{queueSid}.json", Delete);
        accounts.MapGet("/Queues/{queueSid}/Members.json", ListMembers);
        accounts.MapGet("/Queues/{queueSid}/Members/{callSid}.json", FetchMember);
        accounts.MapPost("/Queues/{queueSid}/Members/{callSid}.json", UpdateMemberAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = form["FriendlyName"].ToString();
        if (name.Length is 0 or > 64)
        {
            return TwilioError.Of(20001, 400, "FriendlyName is required and at most 64 characters").ToResult();
        }

        if (MaxSize(form) is { Error: { } error })
        {
            return error.ToResult();
        }

        var json = engine.WithQueues((queues, now) =>
        {
            var queue = new SimQueue
            {
                Sid = TwilioFormat.NewSid("QU"),
                AccountSid = accountSid,
                FriendlyName = name,
                MaxSize = MaxSize(form).Value ?? SimQueue.DefaultMaxSize,
                DateCreated = now,
                DateUpdated = now,
            };
            queues.Add(queue);
            return ToJson(queue, now);
        });
        return Results.Json(json, TwilioFormat.Json, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext context, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var queues = engine.WithQueues((queues, now) => queues.Where(q => q.AccountSid == accountSid).Select(q => ToJson(q, now)).ToList());
        return Results.Json(
            Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Queues.json", "queues", queues, []),
            TwilioFormat.Json);
    }

    private static IResult Fetch(HttpContext context, string queueSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        return engine.WithQueues((queues, now) => Find(queues, accountSid, queueSid) is { } queue ? ToJson(queue, now) : null) is { } json
            ? Results.Json(json, TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string queueSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = form["FriendlyName"].ToString();
        var (maxSize, error) = MaxSize(form);
        if (error is not null || name.Length > 64)
        {
            return (error ?? TwilioError.Of(20001, 400, "FriendlyName is at most 64 characters")).ToResult();
        }

        return engine.WithQueues((queues, now) =>
        {
            if (Find(queues, accountSid, queueSid) is not { } queue)
            {
                return null;
            }

            queue.FriendlyName = name.Length > 0 ? name : queue.FriendlyName;
            queue.MaxSize = maxSize ?? queue.MaxSize;
            queue.DateUpdated = now;
            return ToJson(queue, now);
        }) is { } json
            ? Results.Json(json, TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static IResult Delete(HttpContext context, string queueSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        return engine.WithQueues((queues, _) =>
        {
            switch (Find(queues, accountSid, queueSid))
            {
                case null:
                    return TwilioError.NotFound(context.Request.Path).ToResult();
                case { Members.Count: > 0 } or { Waiters.Count: > 0 }:
                    return TwilioError.Of(20001, 400, $"Queue {queueSid} still has calls in it").ToResult();
                case var queue:
                    queues.Remove(queue);
                    return Results.NoContent();
            }
        });
    }

    private static IResult ListMembers(HttpContext context, string queueSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var members = engine.WithQueues((queues, now) =>
            Find(queues, accountSid, queueSid) is { } queue ? queue.Members.Select(m => MemberJson(m, now)).ToList() : null);
        return members is null
            ? TwilioError.NotFound(context.Request.Path).ToResult()
            : Results.Json(
                Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Queues/{queueSid}/Members.json", "queue_members", members, []),
                TwilioFormat.Json);
    }

    private static IResult FetchMember(HttpContext context, string queueSid, string callSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        return engine.WithQueues((queues, now) => FindMember(queues, accountSid, queueSid, callSid) is { } member ? MemberJson(member, now) : null) is { } json
            ? Results.Json(json, TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    /// <summary>Dequeues the member (by CallSid or <c>Front</c>): its Enqueue action gets <c>QueueResult=redirected</c>, then it runs <c>Url</c>.</summary>
    private static async Task<IResult> UpdateMemberAsync(HttpContext context, string queueSid, string callSid, TwimlEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var url = form["Url"].ToString();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return TwilioError.Of(20001, 400, "Url is required and must be an http(s) URL").ToResult();
        }

        var json = await engine.DequeueAsync(
            (queues, now) => FindMember(queues, accountSid, queueSid, callSid) is { } member ? (member, MemberJson(member, now)) : (null, null),
            url,
            form["Method"].ToString()).ConfigureAwait(false);
        return json is null ? TwilioError.NotFound(context.Request.Path).ToResult() : Results.Json(json, TwilioFormat.Json);
    }

    private static (int? Value, TwilioError? Error) MaxSize(IFormCollection form)
    {
        if (!form.ContainsKey("MaxSize"))
        {
            return (null, null);
        }

        return int.TryParse(form["MaxSize"], NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 1 and <= 5000
            ? (size, null)
            : (null, TwilioError.Of(20001, 400, $"MaxSize must be between 1 and 5000, not {form["MaxSize"]}"));
    }

    private static SimQueue? Find(List<SimQueue> queues, string accountSid, string queueSid) =>
        queues.FirstOrDefault(q => q.Sid == queueSid && q.AccountSid == accountSid);

    private static QueueMember? FindMember(List<SimQueue> queues, string accountSid, string queueSid, string callSid) =>
        Find(queues, accountSid, queueSid) is not { } queue ? null
        : callSid == "Front" ? queue.Members.FirstOrDefault()
        : queue.Members.FirstOrDefault(m => m.Session.Call.Sid == callSid);

    private static Dictionary<string, object?> ToJson(SimQueue queue, DateTimeOffset now) => new(StringComparer.Ordinal)
    {
        ["sid"] = queue.Sid,
        ["account_sid"] = queue.AccountSid,
        ["friendly_name"] = queue.FriendlyName,
        ["current_size"] = queue.Members.Count,
        ["max_size"] = queue.MaxSize,
        ["average_wait_time"] = queue.AverageWaitSeconds(now),
        ["date_created"] = TwilioFormat.Rfc2822(queue.DateCreated),
        ["date_updated"] = TwilioFormat.Rfc2822(queue.DateUpdated),
        ["uri"] = $"/{TwilioFormat.ApiVersion}/Accounts/{queue.AccountSid}/Queues/{queue.Sid}.json",
        ["subresource_uris"] = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["members"] = $"/{TwilioFormat.ApiVersion}/Accounts/{queue.AccountSid}/Queues/{queue.Sid}/Members.json",
        },
    };

    private static Dictionary<string, object?> MemberJson(QueueMember member, DateTimeOffset now) => new(StringComparer.Ordinal)
    {
        ["call_sid"] = member.Session.Call.Sid,
        ["queue_sid"] = member.Queue.Sid,
        ["date_enqueued"] = TwilioFormat.Rfc2822(member.EnqueuedAt),
        ["position"] = member.Queue.Members.IndexOf(member) + 1,
        ["wait_time"] = SimQueue.WaitSeconds(member, now),
        ["uri"] = $"/{TwilioFormat.ApiVersion}/Accounts/{member.Queue.AccountSid}/Queues/{member.Queue.Sid}/Members/{member.Session.Call.Sid}.json",
    };
}
