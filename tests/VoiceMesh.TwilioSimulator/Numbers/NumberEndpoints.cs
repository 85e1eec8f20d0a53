using System.Collections.Immutable;
using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Numbers;

/// <summary>AvailablePhoneNumbers search and IncomingPhoneNumbers buy, list, fetch, update, release (REFERENCE §6.2).</summary>
internal static class NumberEndpoints
{
    private static readonly ImmutableArray<string> SearchFilters =
        ["AreaCode", "InRegion", "Contains", "VoiceEnabled", "SmsEnabled", "MmsEnabled", "FaxEnabled"];

    public static void MapNumbers(this RouteGroupBuilder accounts)
    {
        accounts.MapGet("/AvailablePhoneNumbers/{country}/Local.json", (HttpContext context, string country, NumberInventory inventory) =>
            Search(context, country, NumberKind.Local, "Local", inventory));
        accounts.MapGet("/AvailablePhoneNumbers/{country}/TollFree.json", (HttpContext context, string country, NumberInventory inventory) =>
            Search(context, country, NumberKind.TollFree, "TollFree", inventory));
        accounts.MapGet("/AvailablePhoneNumbers/{country}/Mobile.json", (HttpContext context, string country, NumberInventory inventory) =>
            Search(context, country, NumberKind.Mobile, "Mobile", inventory));
        accounts.MapPost("/IncomingPhoneNumbers.json", BuyAsync);
        accounts.MapGet("/IncomingPhoneNumbers.json", List);
        accounts.MapGet("/IncomingPhoneNumbers/{sid}.json", Fetch);
        accounts.MapPost("/IncomingPhoneNumbers/{sid}.json", UpdateAsync);
        accounts.MapDelete("/IncomingPhoneNumbers/{sid}.json", Release);
    }

    private static IResult Search(HttpContext context, string country, NumberKind kind, string list, NumberInventory inventory)
    {
        var query = context.Request.Query;
        int? areaCode = null;
        if (NullIfEmpty(query["AreaCode"]) is { } areaCodeText)
        {
            if (!int.TryParse(areaCodeText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                return TwilioError.Of(21452, 400, $"AreaCode {areaCodeText} is not an area code").ToResult();
            }

            areaCode = code;
        }

        var (pageSize, page) = Paging.Requested(context.Request);
        var filters = SearchFilters
            .Where(name => !string.IsNullOrEmpty(query[name]))
            .Select(name => new KeyValuePair<string, string>(name, query[name].ToString()))
            .ToList();
        var search = new NumberSearch(
            country, kind, areaCode, NullIfEmpty(query["InRegion"]), NullIfEmpty(query["Contains"]),
            Flag(query["VoiceEnabled"]), Flag(query["SmsEnabled"]), Flag(query["MmsEnabled"]), Flag(query["FaxEnabled"]),
            Wanted: ((page + 1) * pageSize) + 1);
        var numbers = inventory.Search(search)
            .Select(n => new
            {
                friendly_name = n.FriendlyName,
                phone_number = n.PhoneNumber,
                lata = (string?)null,
                locality = n.Locality,
                rate_center = n.RateCenter,
                latitude = (string?)null,
                longitude = (string?)null,
                region = n.Region,
                postal_code = (string?)null,
                iso_country = n.IsoCountry,
                address_requirements = "none",
                beta = false,
                capabilities = Capabilities(n.Capabilities),
            })
            .ToList();
        var (accountSid, _) = RestContext.Account(context);
        return Results.Json(
            Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/AvailablePhoneNumbers/{country}/{list}.json",
                "available_phone_numbers", numbers, filters),
            TwilioFormat.Json);
    }

    /// <summary>An available number's capabilities, spelled as Twilio spells them there (<c>SMS</c>, <c>MMS</c>).</summary>
    private static Dictionary<string, bool> Capabilities(NumberCapabilities c) => new(StringComparer.Ordinal)
    {
        ["voice"] = c.Voice, ["SMS"] = c.Sms, ["MMS"] = c.Mms, ["fax"] = c.Fax,
    };

    /// <summary>An owned number's capabilities, spelled as IncomingPhoneNumbers spells them (lower case).</summary>
    private static Dictionary<string, bool> OwnedCapabilities(NumberCapabilities c) => new(StringComparer.Ordinal)
    {
        ["voice"] = c.Voice, ["sms"] = c.Sms, ["mms"] = c.Mms, ["fax"] = c.Fax,
    };

    private static bool? Flag(Microsoft.Extensions.Primitives.StringValues value) =>
        bool.TryParse(NullIfEmpty(value), out var flag) ? flag : null;

    private static async Task<IResult> BuyAsync(HttpContext context, NumberInventory inventory, VirtualScheduler scheduler)
    {
        var (accountSid, _) = RestContext.Account(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        int? areaCode = int.TryParse(form["AreaCode"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
        var (number, error) = inventory.Buy(accountSid, NullIfEmpty(form["PhoneNumber"]), areaCode, scheduler.Now);
        if (number is null)
        {
            return (error ?? TwilioError.Of(21422, 400, "PhoneNumber requested is not available")).ToResult();
        }

        var json = inventory.With(accountSid, number.Sid, n =>
        {
            Apply(n, form, scheduler.Now);
            return ToJson(n);
        });
        return Results.Json(json, TwilioFormat.Json, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext context, NumberInventory inventory)
    {
        var (accountSid, _) = RestContext.Account(context);
        var query = context.Request.Query;
        var phoneNumber = NullIfEmpty(query["PhoneNumber"]);
        var friendlyName = NullIfEmpty(query["FriendlyName"]);
        var filters = new List<KeyValuePair<string, string>>();
        if (phoneNumber is not null)
        {
            filters.Add(new("PhoneNumber", phoneNumber));
        }

        if (friendlyName is not null)
        {
            filters.Add(new("FriendlyName", friendlyName));
        }

        var numbers = inventory.Owned(accountSid)
            .Select(n => inventory.With(accountSid, n.Sid, ToJson))
            .OfType<Dictionary<string, object?>>()
            .Where(n => (phoneNumber is null || ((string)n["phone_number"]!).Contains(phoneNumber, StringComparison.Ordinal))
                && (friendlyName is null || (string?)n["friendly_name"] == friendlyName))
            .ToList();
        return Results.Json(
            Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/IncomingPhoneNumbers.json",
                "incoming_phone_numbers", numbers, filters),
            TwilioFormat.Json);
    }

    private static IResult Fetch(HttpContext context, string sid, NumberInventory inventory)
    {
        var (accountSid, _) = RestContext.Account(context);
        return inventory.With(accountSid, sid, ToJson) is { } json
            ? Results.Json(json, TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string sid, NumberInventory inventory, VirtualScheduler scheduler)
    {
        var (accountSid, _) = RestContext.Account(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        return inventory.With(accountSid, sid, n =>
        {
            Apply(n, form, scheduler.Now);
            return ToJson(n);
        }) is { } json
            ? Results.Json(json, TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static IResult Release(HttpContext context, string sid, NumberInventory inventory)
    {
        var (accountSid, _) = RestContext.Account(context);
        return inventory.Release(accountSid, sid) ? Results.NoContent() : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static void Apply(OwnedNumber number, IFormCollection form, DateTimeOffset now)
    {
        number.DateUpdated = now;
        number.FriendlyName = NullIfEmpty(form["FriendlyName"]) ?? number.FriendlyName;
        number.VoiceUrl = form.ContainsKey("VoiceUrl") ? NullIfEmpty(form["VoiceUrl"]) : number.VoiceUrl;
        number.VoiceMethod = NullIfEmpty(form["VoiceMethod"])?.ToUpperInvariant() ?? number.VoiceMethod;
        number.VoiceFallbackUrl = form.ContainsKey("VoiceFallbackUrl") ? NullIfEmpty(form["VoiceFallbackUrl"]) : number.VoiceFallbackUrl;
        number.StatusCallback = form.ContainsKey("StatusCallback") ? NullIfEmpty(form["StatusCallback"]) : number.StatusCallback;
        number.StatusCallbackMethod = NullIfEmpty(form["StatusCallbackMethod"])?.ToUpperInvariant() ?? number.StatusCallbackMethod;
    }

    private static Dictionary<string, object?> ToJson(OwnedNumber n)
    {
        var uri = $"/{TwilioFormat.ApiVersion}/Accounts/{n.AccountSid}/IncomingPhoneNumbers/{n.Sid}";
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["sid"] = n.Sid,
            ["account_sid"] = n.AccountSid,
            ["phone_number"] = n.Number.PhoneNumber,
            ["friendly_name"] = n.FriendlyName,
            ["capabilities"] = OwnedCapabilities(n.Number.Capabilities),
            ["voice_url"] = n.VoiceUrl,
            ["voice_method"] = n.VoiceMethod,
            ["voice_fallback_url"] = n.VoiceFallbackUrl,
            ["voice_fallback_method"] = "POST",
            ["voice_application_sid"] = null,
            ["status_callback"] = n.StatusCallback,
            ["status_callback_method"] = n.StatusCallbackMethod,
            ["voice_caller_id_lookup"] = false,
            ["voice_receive_mode"] = "voice",
            ["address_requirements"] = "none",
            ["address_sid"] = null,
            ["bundle_sid"] = null,
            ["emergency_status"] = "Inactive",
            ["emergency_address_sid"] = null,
            ["emergency_address_status"] = "unregistered",
            ["identity_sid"] = null,
            ["trunk_sid"] = null,
            ["origin"] = "twilio",
            ["beta"] = false,
            ["status"] = "in-use",
            ["api_version"] = TwilioFormat.ApiVersion,
            ["date_created"] = TwilioFormat.Rfc2822(n.DateCreated),
            ["date_updated"] = TwilioFormat.Rfc2822(n.DateUpdated),
            ["uri"] = uri + ".json",
            ["subresource_uris"] = new Dictionary<string, string> { ["assigned_add_ons"] = uri + "/AssignedAddOns.json" },
        };
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];
}
