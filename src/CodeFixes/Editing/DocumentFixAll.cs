using System;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// Fix All (document, project, solution) that hands each document's diagnostics to the fixer's own document edit in one
    /// go, instead of merging one text change per diagnostic as the batch fixer does: several diagnostics about one creation
    /// must become one rewrite.
    /// </summary>
    internal static class DocumentFixAll
    {
        public static FixAllProvider Create(string equivalenceKey, Func<Document, ImmutableArray<Diagnostic>, CancellationToken, Task<Document>> fix) =>
            FixAllProvider.Create(async (context, document, diagnostics) =>
            {
                // A null key comes from tools that fix by rule (dotnet format when the first diagnostic had no fix): fix everything.
                if (context.CodeActionEquivalenceKey != null && context.CodeActionEquivalenceKey != equivalenceKey)
                {
                    return null;
                }

                return diagnostics.IsEmpty ? document : await fix(document, diagnostics, context.CancellationToken).ConfigureAwait(false);
            });
    }
}
