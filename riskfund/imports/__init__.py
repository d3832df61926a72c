"""Onboarding the existing book (issue 17): a programme's years of ledgers imported from Excel through the services.

The pieces, in the order a book goes through them::

    sheets, loan_sheets, book   the template's sheets and columns (one list for reader, template, export, help)
    template                    the downloadable template; export writes riskfund's own book in it
    reader                      the safe xlsx reader (riskfund.exports.upload), every bad cell collected
    facts                       rows → dated facts, in the order they happened
    resolve                     references, rows riskfund already has (natural keys), who may write what
    replay, apply               each fact through the same service the API calls, in a savepoint, in time order
    services                    the run: validate (rolled back), preview, commit (all or nothing), daily close
    annotate                    the annotated copy of a book with problems

Why not django-import-export: its resources map one row of one dataset to one model instance, read .xlsx through
tablib and openpyxl (numbers as floats, formulas' cached values, the XML parser openpyxl chooses) and wrap each
dataset's import in its own transaction. A book is thirteen sheets whose rows must be replayed across sheets in
date order (a 2025 loan must see the repayments of 2024 to be judged on the limits of its day), a row is several
service calls (an application, a form, two opinions), and the whole book is one transaction. Its hooks could
call the services instead of saving instances, but everything around them — the ordering, the single
transaction, the error collection by cell, the safe reading — would have to be written anyway; so the import is
built on the project's own reader, and no model is written except through a service.
"""
