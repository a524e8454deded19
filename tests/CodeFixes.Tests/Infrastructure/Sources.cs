namespace WebSocketHandoff.CodeFixes.Tests.Infrastructure
{
    /// <summary>The usings every test source starts with.</summary>
    internal static class Sources
    {
        public const string Usings = """
            using System;
            using System.IO;
            using System.Net.WebSockets;
            using System.Threading;
            using System.Threading.Tasks;
            """;
    }
}
