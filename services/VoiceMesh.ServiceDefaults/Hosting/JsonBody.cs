using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace VoiceMesh.ServiceDefaults;

/// <summary>Reads a small JSON request body for an API endpoint, refusing what is not one with the matching problem.</summary>
public static class JsonBody
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The body read whole up to <paramref name="maxBytes"/>: 415 unless JSON, 413 when larger, 400 when it is not a JSON object.</summary>
    public static async Task<(T? Body, ProblemHttpResult? Refused)> ReadJson<T>(this HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "The body is sent as application/json."));
        }

        var bytes = await request.ReadBounded(maxBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"The body is at most {maxBytes} bytes."));
        }

        try
        {
            if (JsonSerializer.Deserialize<T>(bytes, Json) is { } body)
            {
                return (body, null);
            }
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: $"The body is not the expected JSON object: {ex.Message}"));
        }

        return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: "The body is not a JSON object."));
    }
}
